//! A small XML tree, read with quick-xml, and the element paths assertions use
//! (`tasks/task/id`, `*` for any element, `@name` for an attribute).

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

/// Parse an XML document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("invalid XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(s) | Event::Empty(s) if root.is_some() => {
                let _ = s;
                return Err("invalid XML: content after the root element".into());
            }
            Event::Start(s) => stack.push(start_element(&s)?),
            Event::Empty(s) => {
                let el = start_element(&s)?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or("invalid XML: an end tag without a start")?;
                close(el, &mut stack, &mut root);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let top = stack
                    .last_mut()
                    .ok_or("invalid XML: a reference outside any element")?;
                match r
                    .resolve_char_ref()
                    .map_err(|e| format!("invalid XML: {e}"))?
                {
                    Some(c) => top.text.push(c),
                    None => {
                        top.text.push_str(match &*r {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => {
                                return Err(format!("invalid XML: unknown entity `&{other};`"))
                            }
                        });
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!(
            "invalid XML: `<{}>` is not closed",
            stack.last().map(|e| e.name.as_str()).unwrap_or("")
        ));
    }
    root.ok_or_else(|| "invalid XML: no root element".to_string())
}

fn start_element(s: &quick_xml::events::BytesStart) -> Result<Element, String> {
    let name = s.name().as_ref().to_string();
    let mut attributes = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| format!("invalid XML attribute: {e}"))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("invalid XML attribute: {e}"))?;
        attributes.push((a.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(Element {
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

fn close(mut el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    el.text = el.text.trim().to_string();
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

/// The values a path selects: element texts, or attribute values for a final `@name`.
pub fn select(root: &Element, path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let (elements, attribute) = match segments.last() {
        Some(last) if last.starts_with('@') => (&segments[..segments.len() - 1], Some(&last[1..])),
        _ => (&segments[..], None),
    };
    let Some((first, rest)) = elements.split_first() else {
        return vec![];
    };
    if *first != "*" && *first != root.name {
        return vec![];
    }
    let mut current = vec![root];
    for seg in rest {
        current = current
            .into_iter()
            .flat_map(|e| e.children.iter().filter(|c| *seg == "*" || c.name == *seg))
            .collect();
    }
    match attribute {
        Some(a) => current
            .into_iter()
            .filter_map(|e| {
                e.attributes
                    .iter()
                    .find(|(k, _)| k == a)
                    .map(|(_, v)| v.clone())
            })
            .collect(),
        None => current.into_iter().map(|e| e.text.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASKS: &str = r#"<?xml version="1.0"?>
<tasks>
  <task><id>3</id><content>Root &amp; more</content><parent_id nil="true"></parent_id><notes type="array"/></task>
  <task><id>4</id><content><![CDATA[<b>x</b>]]></content></task>
</tasks>"#;

    #[test]
    fn selects_elements_and_attributes() {
        let root = parse(TASKS).unwrap();
        assert_eq!(select(&root, "tasks/task/id"), ["3", "4"]);
        assert_eq!(
            select(&root, "tasks/task/content"),
            ["Root & more", "<b>x</b>"]
        );
        assert_eq!(select(&root, "tasks/task/parent_id/@nil"), ["true"]);
        assert_eq!(select(&root, "*/*/notes/@type"), ["array"]);
        assert!(select(&root, "tasks/task/updated_at").is_empty());
        assert!(select(&root, "checklists/checklist").is_empty());
    }

    #[test]
    fn rejects_broken_xml() {
        assert!(parse("<tasks><task></tasks>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
    }
}
