//! JSON and XML representations of checklists, tasks, notes and the user, as the document shows
//! them (JSON timestamps `YYYY/MM/DD HH:MM:SS +0000`, XML ones ISO 8601 with `Z`; task
//! timestamps only in JSON).

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::data::{List, Note, Task, User};
use super::faults::{Fault, Variant};
use crate::mock::kit::{envelope, time, Switches};

/// What the mock was started as: its fault and variant switches.
pub type Mode = Switches<Fault, Variant>;

/// An id as JSON: a number, or a string of digits in the string-ids variant.
pub fn id_json(f: Mode, id: u64) -> Value {
    if f.chose(Variant::StringIds) {
        Value::String(id.to_string())
    } else {
        json!(id)
    }
}

fn ids_json(f: Mode, ids: &[u64]) -> Value {
    Value::Array(ids.iter().map(|i| id_json(f, *i)).collect())
}

/// `2005/02/01 15:15:10 +0000`.
pub fn ts_json(secs: i64) -> String {
    time::format_utc(time::utc_from_secs(secs), time::SLASHED_OFFSET)
}

/// `2009-05-16T11:20:31Z`.
pub fn ts_iso(secs: i64) -> String {
    time::format_utc(time::utc_from_secs(secs), time::SECONDS_Z)
}

/// `2009-05-16T11:20:31+00:00`: ISO 8601 too, with an offset instead of `Z`.
pub fn ts_iso_offset(secs: i64) -> String {
    time::format_utc(time::utc_from_secs(secs), time::SECONDS_OFFSET)
}

fn json_ts(secs: i64, iso: bool) -> String {
    if iso {
        ts_iso(secs)
    } else {
        ts_json(secs)
    }
}

fn xml_ts(f: Mode, secs: i64) -> String {
    if f.is(Fault::XmlTimestampsJsonFormat) {
        ts_json(secs)
    } else if f.chose(Variant::XmlOffsetTimestamps) {
        ts_iso_offset(secs)
    } else {
        ts_iso(secs)
    }
}

/// The element of one note inside a notes list: `<note>` as the Note XML example shows, or
/// `<node>` as the with_notes sentence words it.
fn note_element(f: Mode) -> &'static str {
    if f.chose(Variant::NotesAsNodes) {
        "node"
    } else {
        "note"
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn tags_json(tags: &[String]) -> Value {
    Value::Object(
        tags.iter()
            .map(|t| (t.clone(), Value::Bool(false)))
            .collect::<Map<String, Value>>(),
    )
}

/// What a task's representation needs from its list, computed once per answer.
pub struct View<'a> {
    pub list: &'a List,
    status: HashMap<u64, u8>,
    notes: HashMap<u64, usize>,
    pos: HashMap<u64, usize>,
    f: Mode,
}

impl<'a> View<'a> {
    pub fn new(list: &'a List, f: Mode) -> View<'a> {
        View {
            list,
            status: list.statuses(!f.is(Fault::NotCumulative)),
            notes: list.notes_count(),
            pos: list
                .children
                .values()
                .flat_map(|kids| kids.iter().enumerate().map(|(i, k)| (*k, i + 1)))
                .collect(),
            f,
        }
    }

    /// The 1-based position of a task under its parent, as stored.
    pub fn pos(&self, id: u64) -> usize {
        self.pos.get(&id).copied().unwrap_or(1)
    }

    fn status(&self, t: &Task) -> u8 {
        self.status.get(&t.id).copied().unwrap_or(t.status)
    }

    fn comments(&self, t: &Task) -> usize {
        if self.f.is(Fault::CommentsCountZero) {
            0
        } else {
            self.notes.get(&t.id).copied().unwrap_or(0)
        }
    }

    fn position(&self, t: &Task) -> usize {
        let p = self.pos(t.id);
        if self.f.is(Fault::PositionsOffByOne) {
            p + 1
        } else {
            p
        }
    }

    fn notes_of(&self, t: &Task) -> Vec<&'a Note> {
        self.list
            .notes
            .values()
            .filter(|n| n.task == t.id)
            .collect()
    }

    pub fn task_json(&self, t: &Task, with_notes: bool, deleted: bool) -> Value {
        let f = self.f;
        let iso = f.is(Fault::TaskJsonIso);
        let kids: Vec<u64> = if f.is(Fault::ChildrenIdsMissing) {
            vec![]
        } else {
            self.list.kids(t.id).to_vec()
        };
        let mut v = json!({
            "id": id_json(f, t.id),
            "content": t.content,
            "status": self.status(t),
            "checklist_id": id_json(f, self.list.id),
            "parent_id": id_json(f, if t.parent == 0 && f.is(Fault::RootParentIsChecklist) {
                self.list.id
            } else {
                t.parent
            }),
            "comments_count": self.comments(t),
            "position": self.position(t),
            "priority": if t.priority == 0 { Value::Null } else { json!(t.priority) },
            "assignee_ids": ids_json(f, &t.assignees),
            "tasks": ids_json(f, &kids),
            "tags": tags_json(&t.tags),
            "tags_as_text": t.tags.join(", "),
            "update_line": t.update_line,
            "updated_at": t.updated_at.map(|u| json_ts(u, iso)).unwrap_or_default(),
            "created_at": json_ts(t.created_at, iso),
        });
        if t.priority == 0 && f.chose(Variant::SparseFields) {
            if let Some(o) = v.as_object_mut() {
                o.remove("priority");
            }
        }
        if let Some(due) = &t.due {
            v["due"] = json!(due);
        }
        if deleted {
            v["deleted"] = json!(true);
        }
        if with_notes {
            let key = if f.chose(Variant::NotesAsNodes) {
                "nodes"
            } else {
                "notes"
            };
            v[key] = Value::Array(
                self.notes_of(t)
                    .into_iter()
                    .map(|n| note_json(f, n))
                    .collect(),
            );
        }
        v
    }

    pub fn task_xml(&self, out: &mut String, t: &Task, with_notes: bool, deleted: bool) {
        let f = self.f;
        out.push_str("  <task>\n");
        let _ = writeln!(out, "    <id>{}</id>", t.id);
        let _ = writeln!(out, "    <content>{}</content>", escape(&t.content));
        let _ = writeln!(out, "    <status>{}</status>", self.status(t));
        let _ = writeln!(out, "    <checklist_id>{}</checklist_id>", self.list.id);
        if t.parent == 0 {
            if f.is(Fault::XmlRootParentZero) {
                out.push_str("    <parent_id>0</parent_id>\n");
            } else {
                out.push_str("    <parent_id nil=\"true\"></parent_id>\n");
            }
        } else {
            let _ = writeln!(out, "    <parent_id>{}</parent_id>", t.parent);
        }
        let _ = writeln!(
            out,
            "    <comments_count>{}</comments_count>",
            self.comments(t)
        );
        let _ = writeln!(out, "    <position>{}</position>", self.position(t));
        if deleted {
            out.push_str("    <deleted>true</deleted>\n");
        }
        if f.is(Fault::TaskXmlTimestamps) {
            if let Some(u) = t.updated_at {
                let _ = writeln!(out, "    <updated_at>{}</updated_at>", ts_iso(u));
            }
            let _ = writeln!(out, "    <created_at>{}</created_at>", ts_iso(t.created_at));
        }
        if with_notes {
            let notes = self.notes_of(t);
            if notes.is_empty() {
                out.push_str("    <notes type=\"array\"/>\n");
            } else {
                out.push_str("    <notes type=\"array\">\n");
                for n in notes {
                    note_xml(f, out, n, note_element(f));
                }
                out.push_str("    </notes>\n");
            }
        }
        out.push_str("  </task>\n");
    }
}

/// A sequence of tasks: a JSON array, or `<tasks>` of `<task>` elements.
pub fn tasks_xml(view: &View, tasks: &[&Task], with_notes: bool, deleted: bool) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str("<tasks type=\"array\">\n");
    for t in tasks {
        view.task_xml(&mut out, t, with_notes, deleted);
    }
    out.push_str("</tasks>\n");
    out
}

pub fn task_xml_doc(view: &View, t: &Task, with_notes: bool, deleted: bool) -> String {
    let mut inner = String::new();
    view.task_xml(&mut inner, t, with_notes, deleted);
    let mut out = String::from(XML_HEAD);
    for line in inner.lines() {
        out.push_str(line.strip_prefix("  ").unwrap_or(line));
        out.push('\n');
    }
    out
}

pub fn note_json(f: Mode, n: &Note) -> Value {
    let iso = f.is(Fault::NoteJsonIso);
    json!({
        "id": id_json(f, n.id),
        "comment": n.comment,
        "task_id": id_json(f, n.task),
        "user_id": id_json(f, n.user_id),
        "username": n.username,
        "updated_at": n.updated_at.map(|u| json_ts(u, iso)).unwrap_or_default(),
        "created_at": json_ts(n.created_at, iso),
    })
}

/// One note as the element `name` (`note`, or `node` inside a list of the notes-as-nodes
/// variant).
pub fn note_xml(f: Mode, out: &mut String, n: &Note, name: &str) {
    let _ = writeln!(out, "<{name} type=\"Comment\">");
    let _ = writeln!(out, "  <comment>{}</comment>", escape(&n.comment));
    let _ = writeln!(
        out,
        "  <created_at>{}</created_at>",
        xml_ts(f, n.created_at)
    );
    let _ = writeln!(out, "  <id>{}</id>", n.id);
    let _ = writeln!(out, "  <task_id>{}</task_id>", n.task);
    match n.updated_at {
        Some(u) => {
            let _ = writeln!(out, "  <updated_at>{}</updated_at>", xml_ts(f, u));
        }
        None => out.push_str("  <updated_at></updated_at>\n"),
    }
    let _ = writeln!(out, "  <user_id>{}</user_id>", n.user_id);
    let _ = writeln!(out, "  <username>{}</username>", escape(&n.username));
    let _ = writeln!(out, "</{name}>");
}

pub fn note_xml_doc(f: Mode, n: &Note) -> String {
    let mut out = String::from(XML_HEAD);
    note_xml(f, &mut out, n, "note");
    out
}

pub fn notes_xml_doc(f: Mode, notes: &[&Note]) -> String {
    let mut out = String::from(XML_HEAD);
    out.push_str("<notes type=\"array\">\n");
    for n in notes {
        note_xml(f, &mut out, n, note_element(f));
    }
    out.push_str("</notes>\n");
    out
}

/// How the caller relates to a list: 1 author, 3 reader.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub role: u8,
    pub read_only: bool,
}

/// The task stats of a list as shown: (task_count, task_completed), or None when left out.
fn shown_stats(f: Mode, list: &List, skip_stats: bool) -> Option<(usize, usize)> {
    if f.is(Fault::StatsMissing) || (skip_stats && !f.is(Fault::SkipStatsIgnored)) {
        return None;
    }
    let (leaves, closed, all) = list.stats();
    let count = if f.is(Fault::TaskCountAllTasks) {
        all
    } else {
        leaves
    };
    let done = if f.is(Fault::TaskCompletedZero) {
        0
    } else {
        closed
    };
    Some((count, done))
}

pub fn checklist_json(f: Mode, list: &List, access: Access, skip_stats: bool) -> Value {
    let mut v = json!({
        "id": id_json(f, list.id),
        "name": list.name,
        "public": list.public,
        "role": access.role,
        "updated_at": json_ts(list.updated_at, f.is(Fault::ChecklistJsonIso)),
        "tags": tags_json(&list.tags),
        "tags_as_text": list.tags.join(", "),
        "read_only": access.read_only,
        "archived": archived(f, list),
    });
    if let Some((count, done)) = shown_stats(f, list, skip_stats) {
        v["task_count"] = json!(count);
        v["task_completed"] = json!(done);
    }
    if !archived(f, list) && f.chose(Variant::SparseFields) {
        if let Some(o) = v.as_object_mut() {
            o.remove("archived");
        }
    }
    v
}

/// Whether a list says it is archived.
fn archived(f: Mode, list: &List) -> bool {
    list.archived && !f.is(Fault::ArchivedFlagFalse)
}

pub fn checklist_xml(f: Mode, out: &mut String, list: &List, access: Access, skip_stats: bool) {
    out.push_str("<checklist>\n");
    let _ = writeln!(out, "  <id>{}</id>", list.id);
    let _ = writeln!(out, "  <name>{}</name>", escape(&list.name));
    let _ = writeln!(out, "  <public>{}</public>", list.public);
    let _ = writeln!(out, "  <role>{}</role>", access.role);
    let _ = writeln!(
        out,
        "  <updated_at>{}</updated_at>",
        xml_ts(f, list.updated_at)
    );
    if let Some((count, done)) = shown_stats(f, list, skip_stats) {
        let _ = writeln!(out, "  <task_count>{count}</task_count>");
        let _ = writeln!(out, "  <task_completed>{done}</task_completed>");
    }
    let _ = writeln!(out, "  <read_only>{}</read_only>", access.read_only);
    if archived(f, list) || !f.chose(Variant::SparseFields) {
        let _ = writeln!(out, "  <archived>{}</archived>", archived(f, list));
    }
    out.push_str("</checklist>\n");
}

pub fn user_json(f: Mode, u: &User) -> Value {
    json!({ "id": id_json(f, u.id), "username": u.username, "email": u.login, "login": u.login })
}

pub fn user_xml(u: &User) -> String {
    format!(
        "{XML_HEAD}<user>\n  <id>{}</id>\n  <username>{}</username>\n  <email>{}</email>\n  <login>{}</login>\n</user>\n",
        u.id,
        escape(&u.username),
        escape(&u.login),
        escape(&u.login)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fmt {
    Json,
    Xml,
}

// ---------------------------------------------------------------------------- answers

pub(super) fn json_ok(v: Value) -> Response {
    envelope::typed(StatusCode::OK, envelope::JSON_UTF8, v.to_string())
}

pub(super) fn xml_ok(body: String) -> Response {
    envelope::typed(StatusCode::OK, envelope::XML_UTF8, body)
}

pub(super) fn err(fmt: Fmt, status: StatusCode, msg: &str) -> Response {
    match fmt {
        Fmt::Json => envelope::typed(
            status,
            envelope::JSON_UTF8,
            json!({ "error": msg }).to_string(),
        ),
        Fmt::Xml => envelope::typed(
            status,
            envelope::XML_UTF8,
            format!(
                "{}<errors>\n  <error>{}</error>\n</errors>\n",
                XML_HEAD,
                escape(msg)
            ),
        ),
    }
}

pub(super) fn unauthorized(fmt: Fmt, msg: &str) -> Response {
    envelope::with_challenge(
        err(fmt, StatusCode::UNAUTHORIZED, msg),
        "Basic realm=\"Checkvist\"",
    )
}

pub(super) fn not_found(fmt: Fmt, what: &str) -> Response {
    err(fmt, StatusCode::NOT_FOUND, &format!("{what} not found"))
}

pub(super) fn bad_request(fmt: Fmt, msg: &str) -> Response {
    err(fmt, StatusCode::BAD_REQUEST, msg)
}

pub(super) fn not_allowed(fmt: Fmt, allow: &'static str) -> Response {
    envelope::with_allow(
        err(
            fmt,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("method not allowed here; allowed: {allow}"),
        ),
        allow,
    )
}

/// One value in the format asked for.
pub(super) fn answer(
    fmt: Fmt,
    json: impl FnOnce() -> Value,
    xml: impl FnOnce() -> String,
) -> Response {
    match fmt {
        Fmt::Json => json_ok(json()),
        Fmt::Xml => xml_ok(xml()),
    }
}

/// The html-refusals variant's answer for a refusal: an HTML page, 403 for missing or bad
/// credentials; the `Allow` of a 405 is kept.
pub(super) fn html_refusal(resp: Response) -> Response {
    let status = match resp.status() {
        StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
        s => s,
    };
    let allow = resp.headers().get(header::ALLOW).cloned();
    let mut page = envelope::typed(
        status,
        envelope::HTML_UTF8,
        format!(
            "<!DOCTYPE html>\n<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n"
        ),
    );
    if let Some(a) = allow {
        page.headers_mut().insert(header::ALLOW, a);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_formatted_as_documented() {
        assert_eq!(ts_json(1_107_270_910), "2005/02/01 15:15:10 +0000");
        assert_eq!(ts_iso(1_242_472_831), "2009-05-16T11:20:31Z");
        assert_eq!(ts_iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(ts_iso(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }
}
