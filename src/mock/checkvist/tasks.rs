//! Checkvist's task endpoints: reading a list's tasks, and every write to a task (create,
//! import, update, tags, status changes, repeat, delete).

use axum::response::Response;
use serde_json::{json, Value};

use crate::mock::kit::ids::parse_id;
use crate::mock::kit::{time, HasSwitches};

use super::data::{App, Note, Store, Task, MAIN_USER};
use super::faults::{Fault, Variant};
use super::render::{self, answer, bad_request, json_ok, not_found, unauthorized, Fmt, View};
use super::router::{int_param, split_tags, Params, Req};

impl App {
    // ------------------------------------------------------------------ tasks: reading

    pub(super) async fn list_tasks(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TasksXmlAsJson);
        let st = self.store.read().await;
        let (list, _) = tri!(self.readable_list(&st, r, fmt, id));
        let with_notes = r.params.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let view = View::new(&list, self.switches);
        let mut tasks: Vec<&Task> = list.tasks.values().collect();
        let order = r.params.str("order").unwrap_or_default();
        match order.trim() {
            "id:asc" if !self.is(Fault::TaskOrderIdAscIgnored) => tasks.sort_by_key(|t| t.id),
            "id:desc" if !self.is(Fault::TaskOrderIdDescIgnored) => {
                tasks.sort_by_key(|t| std::cmp::Reverse(t.id))
            }
            "updated_at:asc" if !self.is(Fault::TaskOrderUpdatedAscIgnored) => {
                tasks.sort_by_key(|t| (t.updated_at.unwrap_or(i64::MIN), t.id))
            }
            _ if self.is(Fault::TasksById) => tasks.sort_by_key(|t| t.id),
            _ => tasks.sort_by_key(|t| (t.parent, view.pos(t.id))),
        }
        if fmt == Fmt::Json && self.is(Fault::DeletedFalseListed) {
            let listed = tasks.iter().map(|t| {
                let mut v = view.task_json(t, with_notes, false);
                v["deleted"] = json!(false);
                v
            });
            return json_ok(Value::Array(listed.collect()));
        }
        self.tasks_answer(fmt, &view, &tasks, with_notes, false)
    }

    pub(super) fn tasks_answer(
        &self,
        fmt: Fmt,
        view: &View,
        tasks: &[&Task],
        with_notes: bool,
        deleted: bool,
    ) -> Response {
        answer(
            fmt,
            || {
                Value::Array(
                    tasks
                        .iter()
                        .map(|t| view.task_json(t, with_notes, deleted))
                        .collect(),
                )
            },
            || render::tasks_xml(view, tasks, with_notes, deleted),
        )
    }

    pub(super) fn task_answer(
        &self,
        fmt: Fmt,
        view: &View,
        t: &Task,
        with_notes: bool,
        deleted: bool,
    ) -> Response {
        answer(
            fmt,
            || view.task_json(t, with_notes, deleted),
            || render::task_xml_doc(view, t, with_notes, deleted),
        )
    }

    pub(super) async fn get_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskXmlAsJson);
        let st = self.store.read().await;
        let (list, _) = tri!(self.readable_list(&st, r, fmt, id));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let chain = if self.is(Fault::GetTaskWithoutParents) {
            vec![tid]
        } else {
            list.chain(tid)
        };
        let with_notes = r.params.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let view = View::new(&list, self.switches);
        let tasks: Vec<&Task> = chain.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, with_notes, false)
    }

    // ------------------------------------------------------------------ tasks: writing

    /// The tags a create / update sets: `task[tags]` (a comma-separated string or a hash),
    /// or `task[tags_as_text]`; None when neither is given. (`plain` and `hash_or_text` say
    /// which forms are honoured.)
    pub(super) fn tags_param(p: &Params, plain: bool, hash_or_text: bool) -> Option<Vec<String>> {
        let hash = p.hash("task[tags]");
        if hash_or_text && !hash.is_empty() {
            return Some(hash.into_iter().map(|(k, _)| k).collect());
        }
        if plain {
            if let Some(s) = p.str("task[tags]") {
                return Some(split_tags(&s));
            }
        }
        if hash_or_text {
            if let Some(s) = p.str("task[tags_as_text]") {
                return Some(split_tags(&s));
            }
        }
        None
    }

    pub(super) async fn create_task(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(content) = p.str("task[content]") else {
            return bad_request(fmt, "task[content] is required");
        };
        let parent =
            tri!(int_param(p, "task[parent_id]", 0, u64::MAX).map_err(|e| bad_request(fmt, &e)))
                .unwrap_or(0);
        let position =
            tri!(int_param(p, "task[position]", 1, u64::MAX).map_err(|e| bad_request(fmt, &e)));
        let status = tri!(int_param(p, "task[status]", 0, 2).map_err(|e| bad_request(fmt, &e)));
        let priority = tri!(int_param(p, "task[priority]", 0, 9).map_err(|e| bad_request(fmt, &e)));
        let tags = Self::tags_param(p, true, true);
        let due = p.str("task[due_date]").filter(|d| !d.trim().is_empty());
        let username = st.username(who.unwrap_or(MAIN_USER));
        let tid = st.new_task_id();
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let parent = if self.is(Fault::CreateParentIgnored) {
            0
        } else {
            parent
        };
        if parent != 0 && !list.tasks.contains_key(&parent) {
            return bad_request(fmt, "task[parent_id] is not a task of this list");
        }
        let position = if self.is(Fault::CreatePositionIgnored) {
            None
        } else {
            position.map(|p| p.min(usize::MAX as u64) as usize)
        };
        let position = match position {
            None if self.is(Fault::CreateDefaultAtBeginning) => Some(1),
            p => p,
        };
        let now = time::now_secs();
        let task = Task {
            id: tid,
            parent,
            content,
            status: match status {
                _ if self.is(Fault::CreateStatusIgnored) => 0,
                None if self.is(Fault::NewTaskClosed) => 1,
                s => s.unwrap_or(0) as u8,
            },
            priority: if self.is(Fault::CreatePriorityIgnored) {
                0
            } else {
                priority.unwrap_or(0) as u8
            },
            tags: if self.is(Fault::CreateTagsIgnored) {
                vec![]
            } else {
                tags.unwrap_or_default()
            },
            assignees: vec![],
            due,
            repeat: None,
            created_at: now,
            updated_at: Some(now),
            update_line: format!("created by {username}"),
        };
        list.tasks.insert(tid, task);
        list.place(tid, parent, position);
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let Some(t) = list.tasks.get(&tid) else {
            return not_found(fmt, "task");
        };
        self.task_answer(fmt, &view, t, false, false)
    }

    pub(super) async fn import(&self, r: &Req, target: &str) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let id = tri!(import_target(&st, fmt, who, target));
        let options = tri!(self.import_options(&r.params, fmt));
        let items = self.import_items(&options.text, options.split);
        let uid = who.unwrap_or(MAIN_USER);
        let username = st.username(uid);
        let ids: Vec<u64> = items.iter().map(|_| st.new_task_id()).collect();
        let note_id = st.new_note_id();
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let parent = if self.is(Fault::ImportParentIgnored) {
            0
        } else {
            options.parent
        };
        if parent != 0 && !list.tasks.contains_key(&parent) {
            return bad_request(fmt, "parent_id is not a task of this list");
        }
        if options.replace {
            if parent != 0 {
                return bad_request(fmt, "parent_id cannot be used with replace_existing");
            }
            list.tasks.clear();
            list.children.clear();
            list.notes.clear();
        }
        let first_at: Option<usize> = match options.position {
            Some(p) if !self.is(Fault::ImportPositionIgnored) => {
                Some(p.min(usize::MAX as u64) as usize)
            }
            _ if self.is(Fault::ImportAtEnd) => None,
            _ => Some(1),
        };
        let first_status = match options.status {
            Some(st) if !self.is(Fault::ImportStatusIgnored) => st as u8,
            _ => 0,
        };
        let now = time::now_secs();
        let mut stack: Vec<(usize, u64)> = Vec::new();
        let mut top = 0usize;
        for (i, ((indent, text), tid)) in items.into_iter().zip(ids.iter().copied()).enumerate() {
            while stack.last().is_some_and(|(d, _)| *d >= indent) {
                stack.pop();
            }
            let (under, at) = match stack.last() {
                Some((_, pid)) => (*pid, None),
                None => {
                    let at = first_at.map(|f| f.saturating_add(top));
                    top += 1;
                    (parent, at)
                }
            };
            let s = if options.parse {
                smart(&text)
            } else {
                Smart::plain(text)
            };
            let status = if i == 0 { first_status } else { 0 };
            let task = imported_task(tid, under, s, status, now, &username);
            list.tasks.insert(tid, task);
            list.place(tid, under, at);
            stack.push((indent, tid));
        }
        if let (Some(first), Some(comment)) = (ids.first(), options.note) {
            list.notes.insert(
                note_id,
                Note {
                    id: note_id,
                    task: *first,
                    comment,
                    user_id: uid,
                    username,
                    created_at: now,
                    updated_at: Some(now),
                },
            );
        }
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = ids.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    /// An import's parameters, checked: 400 when the text is missing or a number is not one.
    fn import_options(&self, p: &Params, fmt: Fmt) -> Result<ImportOptions, Response> {
        let Some(text) = p.str("import_content") else {
            return Err(bad_request(fmt, "import_content is required"));
        };
        let parent = int_param(p, "parent_id", 0, u64::MAX)
            .map_err(|e| bad_request(fmt, &e))?
            .unwrap_or(0);
        let position = int_param(p, "position", 1, u64::MAX).map_err(|e| bad_request(fmt, &e))?;
        let status = int_param(p, "status", 0, 2).map_err(|e| bad_request(fmt, &e))?;
        let parse = p.has("parse_tasks") && !self.is(Fault::ImportParseIgnored);
        let note = p
            .str("import_content_note")
            .filter(|n| !n.trim().is_empty() && !self.is(Fault::ImportNoteIgnored));
        let replace = p.set("replace_existing") && !self.is(Fault::ImportReplaceIgnored);
        let sep = p.str("separate_with_empty_line").filter(|s| !s.is_empty());
        // One item, one per paragraph, or one per line.
        let split = match sep.as_deref() {
            Some("singleItem") if self.is(Fault::ImportSingleItemIgnored) => ImportSplit::Lines,
            Some("singleItem") => ImportSplit::Single,
            Some(_) if self.is(Fault::ImportEmptyLineIgnored) => ImportSplit::Lines,
            Some(_) => ImportSplit::Paragraphs,
            None => ImportSplit::Lines,
        };
        Ok(ImportOptions {
            text: text.replace("\r\n", "\n"),
            parent,
            position,
            status,
            parse,
            note,
            replace,
            split,
        })
    }

    /// (indentation, text) of each item of an import's text.
    fn import_items(&self, text: &str, split: ImportSplit) -> Vec<(usize, String)> {
        match split {
            ImportSplit::Single => {
                let t = text.trim();
                if t.is_empty() {
                    vec![]
                } else {
                    vec![(0, t.to_string())]
                }
            }
            ImportSplit::Paragraphs => {
                let mut out = Vec::new();
                let mut cur: Vec<&str> = Vec::new();
                for line in text.lines().chain(std::iter::once("")) {
                    if line.trim().is_empty() {
                        if !cur.is_empty() {
                            out.push((0, cur.join("\n")));
                            cur.clear();
                        }
                    } else {
                        cur.push(line.trim());
                    }
                }
                out
            }
            ImportSplit::Lines => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let tabs_only = self.chose(Variant::ImportTabs);
                    let indent: usize = l
                        .chars()
                        .take_while(|c| c.is_whitespace())
                        .map(|c| match c {
                            '\t' => 4,
                            _ if tabs_only => 0,
                            _ => 1,
                        })
                        .sum();
                    let indent = if self.is(Fault::ImportFlat) {
                        0
                    } else {
                        indent
                    };
                    (indent, l.trim().to_string())
                })
                .collect(),
        }
    }

    pub(super) async fn update_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let bad = |e: String| bad_request(fmt, &e);
        let new_parent = tri!(int_param(p, "task[parent_id]", 0, u64::MAX).map_err(bad));
        let position = tri!(int_param(p, "task[position]", 1, u64::MAX).map_err(bad));
        let priority = tri!(int_param(p, "task[priority]", 0, 9).map_err(bad));
        let status = tri!(int_param(p, "task[status]", 0, 2).map_err(bad));
        let assignees = match p.list("task[assignee_ids]") {
            None => None,
            Some(ids) => {
                let parsed: Option<Vec<u64>> = ids.iter().map(|s| s.trim().parse().ok()).collect();
                match parsed {
                    Some(v) => Some(v),
                    None => return bad_request(fmt, "task[assignee_ids] must be user ids"),
                }
            }
        };
        let tags = Self::tags_param(p, true, !self.is(Fault::UpdateTagsHashIgnored));
        let username = st.username(who.unwrap_or(MAIN_USER));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let mut work = list.clone();
        let Some(task) = work.tasks.get_mut(&tid) else {
            return not_found(fmt, "task");
        };
        if let Some(c) = p.str("task[content]") {
            task.content = c;
        }
        if let Some(t) = tags {
            if self.is(Fault::UpdateTagsMerged) {
                union(&mut task.tags, &t);
            } else {
                task.tags = t;
            }
        }
        if p.flag("parse") && !self.is(Fault::UpdateParseIgnored) {
            let s = smart(&task.content);
            task.content = s.content;
            union(&mut task.tags, &s.tags);
            if s.due.is_some() {
                task.due = s.due;
            }
        }
        if let Some(d) = p.str("task[due_date]") {
            task.due = Some(d).filter(|d| !d.trim().is_empty());
        }
        match priority {
            Some(0) if self.is(Fault::PriorityZeroIgnored) => {}
            Some(n) => task.priority = n as u8,
            None => {}
        }
        if let Some(a) = assignees.filter(|_| !self.is(Fault::UpdateAssigneesIgnored)) {
            task.assignees = a;
        }
        if let (Some(s), true) = (status, self.is(Fault::UpdateChangesStatus)) {
            task.status = s as u8;
        }
        let now = time::now_secs();
        task.updated_at = Some(now);
        task.update_line = format!("updated by {username}");
        let old_parent = task.parent;
        let new_parent = new_parent.filter(|_| !self.is(Fault::UpdateParentIgnored));
        let position = position
            .filter(|_| !self.is(Fault::UpdatePositionIgnored))
            .map(|p| p.min(usize::MAX as u64) as usize);
        if let Some(np) = new_parent {
            if np != 0 && (!work.tasks.contains_key(&np) || work.is_ancestor_or_self(tid, np)) {
                return bad_request(fmt, "task[parent_id] is not a possible parent of this task");
            }
        }
        let moved_parent = new_parent.unwrap_or(old_parent);
        if moved_parent != old_parent || position.is_some() {
            work.unplace(tid, old_parent);
            work.place(tid, moved_parent, position);
            if let Some(t) = work.tasks.get_mut(&tid) {
                t.parent = moved_parent;
            }
        }
        work.updated_at = now;
        let with_notes = p.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let resp = {
            let view = View::new(&work, self.switches);
            match work.tasks.get(&tid) {
                Some(t) => self.task_answer(fmt, &view, t, with_notes, false),
                None => not_found(fmt, "task"),
            }
        };
        if !self.is(Fault::UpdateNotStored) {
            *list = work;
        }
        resp
    }

    pub(super) async fn set_tags(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let mut ids = vec![tid];
        if !self.is(Fault::TagsTaskIdsIgnored) {
            for extra in p.list("task_ids").unwrap_or_default() {
                match extra.trim().parse::<u64>() {
                    Ok(x) if list.tasks.contains_key(&x) => {
                        if !ids.contains(&x) {
                            ids.push(x)
                        }
                    }
                    _ => {
                        return bad_request(
                            fmt,
                            "task_ids holds an id that is not a task of this list",
                        )
                    }
                }
            }
        }
        let delete = p.str("delete_tag").filter(|t| !t.trim().is_empty());
        let set: Option<Vec<String>> = p.str("tags").map(|s| {
            let parts: Vec<String> = if self.is(Fault::TagsSplitOnComma) {
                s.split(',').map(|t| t.trim().to_string()).collect()
            } else {
                s.split_whitespace().map(str::to_string).collect()
            };
            let mut out = Vec::new();
            union(
                &mut out,
                &parts
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>(),
            );
            out
        });
        if delete.is_none() && set.is_none() {
            return bad_request(fmt, "give delete_tag or tags");
        }
        let now = time::now_secs();
        let before: Vec<Task> = ids
            .iter()
            .filter_map(|i| list.tasks.get(i).cloned())
            .collect();
        for i in &ids {
            if let Some(t) = list.tasks.get_mut(i) {
                match (&delete, &set) {
                    (Some(_), _) if self.is(Fault::DeleteTagClearsAll) => t.tags.clear(),
                    (Some(d), _) => t.tags.retain(|x| x != d.trim()),
                    (None, Some(s)) => t.tags = s.clone(),
                    (None, None) => {}
                }
                t.updated_at = Some(now);
            }
        }
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = if self.is(Fault::TagsAnswerBeforeChange) {
            before.iter().collect()
        } else {
            ids.iter().filter_map(|i| list.tasks.get(i)).collect()
        };
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    pub(super) async fn change_status(&self, r: &Req, id: u64, tid: u64, action: &str) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let new = match action {
            "close" => Some(1),
            "invalidate" if self.is(Fault::InvalidateCloses) => Some(1),
            "invalidate" => Some(2),
            _ if self.is(Fault::ReopenIgnored) => None,
            _ => Some(0),
        };
        let descendants = list.preorder(tid);
        let mut changed = vec![tid];
        if !self.is(Fault::NoCascade) {
            changed.extend(descendants.iter().copied());
        }
        let now = time::now_secs();
        for i in &changed {
            if let Some(t) = list.tasks.get_mut(i) {
                if let Some(s) = new {
                    t.status = s;
                }
                t.updated_at = Some(now);
            }
        }
        list.updated_at = now;
        let mut shown = vec![tid];
        if !self.is(Fault::ChildrenNotReturned) {
            shown.extend(descendants);
        }
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = shown.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    pub(super) async fn repeat(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let period = p.str("repeat[period]").unwrap_or_default();
        if !matches!(period.as_str(), "daily" | "weekly" | "monthly" | "yearly") {
            return bad_request(
                fmt,
                "repeat[period] must be daily, weekly, monthly or yearly",
            );
        }
        let count =
            tri!(int_param(p, "repeat[period_count]", 1, 10_000).map_err(|e| bad_request(fmt, &e)))
                .unwrap_or(1);
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let now = time::now_secs();
        let Some(t) = list.tasks.get_mut(&tid) else {
            return not_found(fmt, "task");
        };
        t.repeat = Some(json!({
            "period": period,
            "period_count": count,
            "start_date": p.str("repeat[start_date]"),
            "end_date": p.str("repeat[end_date]"),
        }));
        t.updated_at = Some(now);
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let Some(t) = list.tasks.get(&tid) else {
            return not_found(fmt, "task");
        };
        if self.is(Fault::RepeatReturnsList) {
            return self.tasks_answer(fmt, &view, &[t], false, false);
        }
        self.task_answer(fmt, &view, t, false, false)
    }

    pub(super) async fn delete_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let resp = {
            let view = View::new(list, self.switches);
            let Some(t) = list.tasks.get(&tid) else {
                return not_found(fmt, "task");
            };
            self.task_answer(fmt, &view, t, false, !self.is(Fault::DeleteNoFlag))
        };
        if self.is(Fault::DeleteKeepsChildren) {
            for kid in list.kids(tid).to_vec() {
                if let Some(k) = list.tasks.get_mut(&kid) {
                    k.parent = 0;
                }
                list.place(kid, 0, None);
            }
            list.children.remove(&tid);
        }
        list.remove_tree(tid);
        list.updated_at = time::now_secs();
        resp
    }
}

/// How an import reads its text and places its tasks, from the request's parameters.
struct ImportOptions {
    /// The text to import, with `\r\n` line ends made `\n`.
    text: String,
    /// The task the items go under (0: the list's top level).
    parent: u64,
    position: Option<u64>,
    /// The status of the first item.
    status: Option<u64>,
    /// Smart syntax (`#tag`, `!3`, `^due`) is read.
    parse: bool,
    /// A note added to the first item.
    note: Option<String>,
    /// The list's tasks and notes are replaced.
    replace: bool,
    split: ImportSplit,
}

/// How an import's text is cut into items.
#[derive(Clone, Copy)]
enum ImportSplit {
    /// The whole text is one item.
    Single,
    /// One item per paragraph (items separated by an empty line).
    Paragraphs,
    /// One item per line, nested by indentation.
    Lines,
}

/// The list an import writes to: its id, or `tag:NAME` (the user's list tagged so).
fn import_target(st: &Store, fmt: Fmt, who: Option<u64>, target: &str) -> Result<u64, Response> {
    if let Some(tag) = target.strip_prefix("tag:") {
        let Some(uid) = who else {
            return Err(unauthorized(fmt, "authentication required"));
        };
        st.list_tagged(uid, tag)
            .ok_or_else(|| not_found(fmt, "checklist tagged so"))
    } else {
        parse_id(target).ok_or_else(|| not_found(fmt, "checklist"))
    }
}

/// A task created by an import, by `username`, at `now`.
fn imported_task(id: u64, parent: u64, s: Smart, status: u8, now: i64, username: &str) -> Task {
    Task {
        id,
        parent,
        content: s.content,
        status,
        priority: s.priority.unwrap_or(0),
        tags: s.tags,
        assignees: vec![],
        due: s.due,
        repeat: None,
        created_at: now,
        updated_at: Some(now),
        update_line: format!("created by {username}"),
    }
}

/// Smart syntax: `#tag`, `!3` (priority), `^due` are taken out of the text.
pub(super) struct Smart {
    pub(super) content: String,
    pub(super) tags: Vec<String>,
    pub(super) priority: Option<u8>,
    pub(super) due: Option<String>,
}

impl Smart {
    /// The text as it is (smart syntax not asked for).
    fn plain(content: String) -> Smart {
        Smart {
            content,
            tags: vec![],
            priority: None,
            due: None,
        }
    }
}

pub(super) fn smart(text: &str) -> Smart {
    let mut s = Smart {
        content: String::new(),
        tags: vec![],
        priority: None,
        due: None,
    };
    let mut kept = Vec::new();
    for tok in text.split_whitespace() {
        if let Some(tag) = tok.strip_prefix('#').filter(|t| !t.is_empty()) {
            if !s.tags.iter().any(|t| t == tag) {
                s.tags.push(tag.to_string());
            }
        } else if let Some(p) = tok
            .strip_prefix('!')
            .and_then(|p| p.parse::<u8>().ok())
            .filter(|p| (1..=9).contains(p))
        {
            s.priority = Some(p);
        } else if let Some(d) = tok.strip_prefix('^').filter(|d| !d.is_empty()) {
            s.due = Some(d.to_string());
        } else {
            kept.push(tok);
        }
    }
    s.content = kept.join(" ");
    s
}

pub(super) fn union(into: &mut Vec<String>, more: &[String]) {
    for t in more {
        if !into.contains(t) {
            into.push(t.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_syntax_is_taken_out_of_the_text() {
        let s = smart("buy milk #shop !3 ^tomorrow");
        assert_eq!(s.content, "buy milk");
        assert_eq!(s.tags, vec!["shop"]);
        assert_eq!(s.priority, Some(3));
        assert_eq!(s.due.as_deref(), Some("tomorrow"));
    }
}
