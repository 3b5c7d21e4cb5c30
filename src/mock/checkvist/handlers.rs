//! Checkvist's endpoints: authentication, checklists, tasks (reading and writing) and notes,
//! with the helpers that read their parameters (tags, smart syntax).

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::mock::kit::{encoding, time, HasSwitches};

use super::data::{App, List, Note, Store, MAIN_USER, TOKEN_REFRESHABLE_SECS, TOKEN_VALID_SECS};
use super::faults::{Fault, Variant};
use super::render::{
    self, answer, bad_request, err, json_ok, not_found, unauthorized, Access, Fmt,
};
use super::router::{Params, Req};

// ---------------------------------------------------------------------------- the API

impl App {
    /// XML, unless `fault` makes this answer JSON.
    pub(super) fn out(&self, fmt: Fmt, fault: Fault) -> Fmt {
        if fmt == Fmt::Xml && self.is(fault) {
            Fmt::Json
        } else {
            fmt
        }
    }

    // ------------------------------------------------------------------ authentication

    /// The calling user: Ok(None) when no credentials are presented; 401 when the presented
    /// ones are wrong (unknown or expired token, bad basic credentials).
    pub(super) fn who(&self, st: &Store, r: &Req) -> Result<Option<u64>, Response> {
        let fmt = r.fmt;
        let header_token = r
            .headers
            .get("x-client-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty() && !self.is(Fault::TokenHeaderIgnored));
        let param_token = r.params.str("token");
        let param_token = param_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && !self.is(Fault::TokenParamIgnored));
        if let Some(token) = header_token.or(param_token) {
            return match st.tokens.get(token) {
                Some(t)
                    if time::now_secs() - t.issued > TOKEN_VALID_SECS
                        && !self.is(Fault::ExpiredTokenAccepted) =>
                {
                    Err(unauthorized(fmt, "the token has expired; refresh it"))
                }
                Some(t) => Ok(Some(t.user)),
                None if self.is(Fault::InvalidTokenAccepted) => Ok(Some(MAIN_USER)),
                None => Err(unauthorized(fmt, "invalid token")),
            };
        }
        let basic = r
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(encoding::basic_credentials);
        if let Some((login, password)) = basic {
            let (login, password) = (login.as_str(), password.as_str());
            let Some(user) = st.user_by_login(login) else {
                return Err(unauthorized(fmt, "bad credentials"));
            };
            let ok = (!password.is_empty()
                && password == user.remote_key
                && !self.is(Fault::BasicRemoteKeyRefused))
                || (!password.is_empty()
                    && password == user.password
                    && !self.is(Fault::BasicPasswordRefused))
                || self.is(Fault::BasicWrongPasswordAccepted);
            return if ok {
                Ok(Some(user.id))
            } else {
                Err(unauthorized(fmt, "bad credentials"))
            };
        }
        Ok(None)
    }

    pub(super) fn who_required(&self, st: &Store, r: &Req) -> Result<u64, Response> {
        self.who(st, r)?
            .ok_or_else(|| unauthorized(r.fmt, "authentication required"))
    }

    /// The access of the list's user: its author, or, in the shared-lists variant, a writer or
    /// reader of some seeded lists.
    pub(super) fn owner_access(&self, list: u64) -> Access {
        let shared = self.chose(Variant::SharedLists) && (1..=self.seeded).contains(&list);
        match list % 4 {
            _ if self.is(Fault::CreatorIsReader) => Access {
                role: 3,
                read_only: true,
            },
            2 if shared => Access {
                role: 2,
                read_only: false,
            },
            3 if shared => Access {
                role: 3,
                read_only: true,
            },
            _ => Access {
                role: 1,
                read_only: false,
            },
        }
    }

    /// List `id` as `r`'s caller may read it, and what the caller may do with it; else the
    /// refusal (404 for a list that does not exist, 401 or 403 for one the caller may not read).
    pub(super) fn readable_list<'a>(
        &self,
        st: &'a Store,
        r: &Req,
        fmt: Fmt,
        id: u64,
    ) -> Result<(Cow<'a, List>, Access), Response> {
        let who = self.who(st, r)?;
        let Some(list) = st.list(id) else {
            return Err(not_found(fmt, "checklist"));
        };
        let access = self.read_access(fmt, &list, who)?;
        Ok((list, access))
    }

    /// List `id` for `who` to write to; else the refusal (404 for a list that does not
    /// exist, 401 or 403 for one `who` may not write to).
    pub(super) fn writable_list<'a>(
        &self,
        st: &'a mut Store,
        fmt: Fmt,
        id: u64,
        who: Option<u64>,
    ) -> Result<&'a mut List, Response> {
        let Some(list) = st.list_mut(id) else {
            return Err(not_found(fmt, "checklist"));
        };
        self.write_access(fmt, list, who)?;
        Ok(list)
    }

    pub(super) fn read_access(
        &self,
        fmt: Fmt,
        list: &List,
        who: Option<u64>,
    ) -> Result<Access, Response> {
        let reader = Access {
            role: 3,
            read_only: true,
        };
        match who {
            Some(u) if u == list.owner => Ok(self.owner_access(list.id)),
            None if list.public && self.is(Fault::PublicListsClosed) => {
                Err(unauthorized(fmt, "authentication required"))
            }
            _ if list.public => Ok(reader),
            None if self.is(Fault::PrivateListsOpen) => Ok(reader),
            None => Err(unauthorized(fmt, "authentication required")),
            Some(_) => Err(err(fmt, StatusCode::FORBIDDEN, "no access to this list")),
        }
    }

    pub(super) fn write_access(
        &self,
        fmt: Fmt,
        list: &List,
        who: Option<u64>,
    ) -> Result<(), Response> {
        let shared_reader = self.chose(Variant::SharedLists)
            && self.owner_access(list.id).read_only
            && !self.is(Fault::CreatorIsReader);
        match who {
            Some(u) if u == list.owner && !shared_reader => Ok(()),
            None if list.public && self.is(Fault::AnonymousWritesPublic) => Ok(()),
            None => Err(unauthorized(fmt, "authentication required")),
            Some(_) => Err(err(
                fmt,
                StatusCode::FORBIDDEN,
                "this list is read-only for you",
            )),
        }
    }

    pub(super) async fn login(&self, r: &Req) -> Response {
        let fmt = Fmt::Json;
        let username = r.params.str("username").unwrap_or_default();
        let key = r.params.str("remote_key").unwrap_or_default();
        let code = r.params.str("token2fa").filter(|c| !c.trim().is_empty());
        let mut st = self.store.write().await;
        let now = time::now_secs();
        let Some(user) = st.user_by_login(&username).cloned() else {
            return if self.is(Fault::LoginUnknownUser404) {
                not_found(fmt, "user")
            } else {
                unauthorized(fmt, "authentication failed")
            };
        };
        let by_key = !key.is_empty() && key == user.remote_key;
        let by_password =
            !key.is_empty() && key == user.password && !self.is(Fault::LoginPasswordRefused);
        if !by_key && !by_password {
            return if self.is(Fault::LoginWrongKey403) {
                err(fmt, StatusCode::FORBIDDEN, "authentication failed")
            } else {
                unauthorized(fmt, "authentication failed")
            };
        }
        if let Some(valid) = &user.twofa_code {
            let needs_code = by_password
                || self.is(Fault::TwofaRemoteKeyNeedsCode)
                || self.chose(Variant::TwofaCodeAlways);
            let refusal = match code.as_deref() {
                None if !self.is(Fault::TwofaNotEnforced) => {
                    Some("2-step verification is enabled: the token2fa code is missing")
                }
                Some(c) if c.trim() != valid && !self.is(Fault::TwofaCodeUnchecked) => {
                    Some("2-step verification is enabled: the token2fa code is wrong")
                }
                _ => None,
            };
            if let (true, Some(msg)) = (needs_code, refusal) {
                return if self.is(Fault::TwofaErrorNotJson) {
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        msg,
                    )
                        .into_response()
                } else {
                    err(fmt, StatusCode::UNPROCESSABLE_ENTITY, msg)
                };
            }
        }
        if r.method == Method::POST
            && self.is(Fault::LoginPostSecondSessionRefused)
            && st
                .tokens
                .values()
                .any(|t| t.user == user.id && !t.pinned && now - t.issued <= TOKEN_VALID_SECS)
        {
            return unauthorized(fmt, "authentication failed: a session is already open");
        }
        let token = st.mint_token(user.id, now);
        json_ok(json!({ "token": token }))
    }

    pub(super) async fn refresh(&self, r: &Req) -> Response {
        let fmt = Fmt::Json;
        let bad = || {
            if self.is(Fault::RefreshBadToken403) {
                err(fmt, StatusCode::FORBIDDEN, "bad old_token")
            } else {
                unauthorized(fmt, "bad old_token")
            }
        };
        let old = r.params.str("old_token").unwrap_or_default();
        let old = old.trim();
        let mut st = self.store.write().await;
        let now = time::now_secs();
        let Some(tok) = st.tokens.get(old).cloned() else {
            return bad();
        };
        let age = now - tok.issued;
        if age > TOKEN_REFRESHABLE_SECS
            || (age > TOKEN_VALID_SECS && self.is(Fault::RefreshExpiredRefused))
        {
            return bad();
        }
        if self.is(Fault::RefreshSameToken) {
            return json_ok(json!({ "token": old }));
        }
        let new = st.mint_token(tok.user, now);
        if !tok.pinned && !self.is(Fault::RefreshOldTokenKept) {
            st.tokens.remove(old);
        }
        json_ok(json!({ "token": new }))
    }

    pub(super) async fn current_user(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::CurrentUserXmlAsJson);
        let st = self.store.read().await;
        let uid = tri!(self.who_required(&st, r));
        let Some(user) = st.user(uid) else {
            return not_found(fmt, "user");
        };
        answer(
            fmt,
            || render::user_json(self.switches, user),
            || render::user_xml(user),
        )
    }

    // ------------------------------------------------------------------ checklists

    pub(super) async fn list_checklists(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistsXmlAsJson);
        let st = self.store.read().await;
        let uid = tri!(self.who_required(&st, r));
        let archived = r.params.flag("archived");
        let skip = r.params.flag("skip_stats");
        let stats_shown =
            (!skip || self.is(Fault::SkipStatsIgnored)) && !self.is(Fault::StatsMissing);
        let mut lists = st.lists_of(uid, stats_shown);
        let want_archived = archived && !self.is(Fault::ArchivedIgnored);
        lists.retain(|l| match (want_archived, self.switches.variant) {
            // archived=true adds the archived lists to the others.
            (true, Some(Variant::ArchivedTrueAdds)) => true,
            (true, _) => l.archived,
            (false, Some(Variant::ArchivedByDefault)) => true,
            (false, _) => !l.archived || self.is(Fault::ArchivedListedByDefault),
        });
        let order = r.params.str("order").unwrap_or_default();
        match order.trim() {
            "id:asc" if !self.is(Fault::ChecklistOrderIdAscIgnored) => lists.sort_by_key(|l| l.id),
            "id:desc" if !self.is(Fault::ChecklistOrderIdDescIgnored) => {
                lists.sort_by_key(|l| std::cmp::Reverse(l.id))
            }
            "updated_at:asc" if !self.is(Fault::ChecklistOrderUpdatedAscIgnored) => {
                lists.sort_by_key(|l| (l.updated_at, l.id))
            }
            _ if self.is(Fault::DefaultOrderOldestFirst) => {
                lists.sort_by_key(|l| (l.updated_at, l.id))
            }
            // The user's UI sorts by name.
            _ if self.chose(Variant::UiSortedByName) => {
                lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)))
            }
            _ => lists.sort_by_key(|l| std::cmp::Reverse((l.updated_at, l.id))),
        }
        answer(
            fmt,
            || {
                Value::Array(
                    lists
                        .iter()
                        .map(|l| {
                            render::checklist_json(self.switches, l, self.owner_access(l.id), skip)
                        })
                        .collect(),
                )
            },
            || {
                let mut out = String::from(render::XML_HEAD);
                out.push_str("<checklists type=\"array\">\n");
                for l in &lists {
                    render::checklist_xml(
                        self.switches,
                        &mut out,
                        l,
                        self.owner_access(l.id),
                        skip,
                    );
                }
                out.push_str("</checklists>\n");
                out
            },
        )
    }

    pub(super) fn checklist_answer(
        &self,
        fmt: Fmt,
        list: &List,
        access: Access,
        skip: bool,
    ) -> Response {
        answer(
            fmt,
            || render::checklist_json(self.switches, list, access, skip),
            || {
                let mut out = String::from(render::XML_HEAD);
                render::checklist_xml(self.switches, &mut out, list, access, skip);
                out
            },
        )
    }

    pub(super) async fn get_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let st = self.store.read().await;
        let (list, access) = tri!(self.readable_list(&st, r, fmt, id));
        let skip = r.params.flag("skip_stats");
        if self.is(Fault::ChecklistGetNameEmpty) {
            let mut shown = list.into_owned();
            shown.name.clear();
            return self.checklist_answer(fmt, &shown, access, skip);
        }
        self.checklist_answer(fmt, &list, access, skip)
    }

    /// checklist[public]: Ok(None) when not given.
    pub(super) fn public_param(&self, fmt: Fmt, p: &Params) -> Result<Option<bool>, Response> {
        if self.is(Fault::PublicFlagIgnored) {
            return Ok(None);
        }
        let Some(v) = p.str("checklist[public]") else {
            return Ok(None);
        };
        if self.is(Fault::PublicZeroIsTrue) {
            return Ok(Some(true));
        }
        match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" | "" => Ok(Some(false)),
            _ => Err(bad_request(fmt, "checklist[public] must be 0 or 1")),
        }
    }

    pub(super) async fn create_checklist(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let uid = tri!(self.who_required(&st, r));
        let name = r.params.str("checklist[name]").unwrap_or_default();
        if name.trim().is_empty() {
            return bad_request(fmt, "checklist[name] is required");
        }
        let public = tri!(self.public_param(fmt, &r.params)).unwrap_or(false);
        let id = st.new_list_id();
        let list = List {
            id,
            owner: uid,
            name,
            public,
            archived: false,
            tags: vec![],
            updated_at: time::now_secs(),
            tasks: BTreeMap::new(),
            children: Default::default(),
            notes: BTreeMap::new(),
            deleted: false,
        };
        let resp = self.checklist_answer(fmt, &list, self.owner_access(id), false);
        st.lists.insert(id, list);
        resp
    }

    pub(super) async fn update_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let public = tri!(self.public_param(fmt, &r.params));
        let name = r.params.str("checklist[name]");
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return bad_request(fmt, "checklist[name] cannot be empty");
        }
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let access = match who {
            Some(u) if u == list.owner => self.owner_access(list.id),
            _ => Access {
                role: 3,
                read_only: true,
            },
        };
        let before = list.clone();
        let mut next = list.clone();
        if let Some(n) = name {
            next.name = n;
        }
        if let Some(p) = public {
            next.public = p;
        }
        next.updated_at = time::now_secs();
        let shown = if self.is(Fault::ChecklistUpdateReturnsOld) {
            &before
        } else {
            &next
        };
        let resp = self.checklist_answer(fmt, shown, access, false);
        if !self.is(Fault::ChecklistUpdateNotStored) {
            *list = next;
        }
        resp
    }

    pub(super) async fn delete_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let access = self.owner_access(list.id);
        list.deleted = true;
        if self.is(Fault::ChecklistDeleteEmpty) {
            return answer(
                fmt,
                || json!({}),
                || format!("{}<checklist></checklist>\n", render::XML_HEAD),
            );
        }
        let resp = self.checklist_answer(fmt, list, access, false);
        // The list is only marked for deletion; its tasks go with it.
        list.tasks.clear();
        list.children.clear();
        list.notes.clear();
        resp
    }

    // ------------------------------------------------------------------ notes

    pub(super) async fn list_notes(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NotesXmlAsJson);
        let st = self.store.read().await;
        let (list, _) = tri!(self.readable_list(&st, r, fmt, id));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let notes: Vec<&Note> = list.notes.values().filter(|n| n.task == tid).collect();
        answer(
            fmt,
            || {
                Value::Array(
                    notes
                        .iter()
                        .map(|n| render::note_json(self.switches, n))
                        .collect(),
                )
            },
            || render::notes_xml_doc(self.switches, &notes),
        )
    }

    pub(super) fn note_answer(&self, fmt: Fmt, n: &Note) -> Response {
        answer(
            fmt,
            || render::note_json(self.switches, n),
            || render::note_xml_doc(self.switches, n),
        )
    }

    pub(super) async fn create_note(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(comment) = r.params.str("comment[comment]") else {
            return bad_request(fmt, "comment[comment] is required");
        };
        let nid = st.new_note_id();
        let uid = who.unwrap_or(MAIN_USER);
        let username = st.username(uid);
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let now = time::now_secs();
        let note = Note {
            id: nid,
            task: tid,
            comment,
            user_id: uid,
            username,
            created_at: now,
            updated_at: Some(now),
        };
        let resp = self.note_answer(fmt, &note);
        list.notes.insert(nid, note);
        if self.is(Fault::NotesBumpUpdatedAt) {
            list.updated_at = now.max(list.updated_at + 1);
        }
        resp
    }

    pub(super) async fn update_note(&self, r: &Req, id: u64, tid: u64, nid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(comment) = r.params.str("comment[comment]") else {
            return bad_request(fmt, "comment[comment] is required");
        };
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        let Some(note) = list.notes.get_mut(&nid).filter(|n| n.task == tid) else {
            return not_found(fmt, "note");
        };
        let before = note.clone();
        note.comment = comment;
        note.updated_at = Some(time::now_secs());
        if self.is(Fault::NoteUpdateReturnsOld) {
            return self.note_answer(fmt, &before);
        }
        let shown = note.clone();
        self.note_answer(fmt, &shown)
    }

    pub(super) async fn delete_note(&self, r: &Req, id: u64, tid: u64, nid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let list = tri!(self.writable_list(&mut st, fmt, id, who));
        if list.notes.get(&nid).is_none_or(|n| n.task != tid) {
            return not_found(fmt, "note");
        }
        let note = if self.is(Fault::NoteDeleteKeeps) {
            list.notes.get(&nid).cloned()
        } else {
            list.notes.remove(&nid)
        };
        match note {
            Some(n) => self.note_answer(fmt, &n),
            None => not_found(fmt, "note"),
        }
    }
}
