//! The documented behaviours the Checkvist mock can break, one at a time, and the rules that
//! must catch each; then its faithful variants, each of which keeps every sentence of
//! checkvist.txt and chooses differently where the document is silent.

crate::faults! {
    // ------------------------------------------------------------------ authentication
    TokenParamIgnored = "auth.token-param-ignored"
        => [
            "checkvist.auth.token-param",
            "checkvist.auth.refused-token-param",
            "checkvist.login.token-usable",
            "checkvist.refresh.post-lifecycle",
        ]:
        "the `token` query parameter is ignored (the request is anonymous); the default auth scheme of a run, so most rules fail with it",
    TokenHeaderIgnored = "auth.token-header-ignored"
        => [
            "checkvist.auth.token-header",
            "checkvist.auth.refused-token-header",
            "checkvist.auth.writes-other-schemes",
            "checkvist.login.token-usable",
            "checkvist.refresh.get-lifecycle",
        ]:
        "the X-Client-Token header is ignored (the request is anonymous)",
    BasicRemoteKeyRefused = "auth.basic-remote-key-refused"
        => ["checkvist.auth.basic", "checkvist.auth.refused-basic", "checkvist.auth.writes-other-schemes"]:
        "HTTP basic authentication with the Remote API key as the password is refused (401)",
    BasicPasswordRefused = "auth.basic-password-refused"
        => ["checkvist.auth.basic-password", "checkvist.auth.basic-password-private-list"]:
        "HTTP basic authentication with the real password is refused (401)",
    BasicWrongPasswordAccepted = "auth.basic-wrong-password-accepted"
        => ["checkvist.auth.refused-basic", "checkvist.auth.basic-password-private-list"]:
        "HTTP basic authentication accepts any password for a known login",
    InvalidTokenAccepted = "auth.invalid-token-accepted"
        => ["checkvist.auth.refused-token-param", "checkvist.auth.refused-token-header"]:
        "an unknown token (parameter or header) is taken as the main user's",
    PrivateListsOpen = "auth.private-lists-open"
        => [
            "checkvist.auth.refused-token-param",
            "checkvist.auth.refused-token-header",
            "checkvist.auth.refused-basic",
            "checkvist.auth.private-list-lifecycle",
        ]:
        "non-public lists (and their tasks) are readable without credentials",
    ExpiredTokenAccepted = "auth.expired-token-accepted"
        => ["checkvist.auth.expired-token"]:
        "a token older than 1 day still authenticates API calls",
    PublicListsClosed = "auth.public-lists-closed"
        => ["checkvist.checklists.public-readable"]:
        "public lists need credentials like the others (401 without)",
    AnonymousWritesPublic = "auth.anonymous-writes-public"
        => ["checkvist.checklists.public-readable"]:
        "anyone can write to a public list without credentials (not read-only)",
    // ------------------------------------------------------------------ login
    LoginGetUnsupported = "login.get-unsupported"
        => [
            "checkvist.login.get",
            "checkvist.login.token-usable",
            "checkvist.login.get-bad-credentials",
            "checkvist.login.2fa-wrong-code",
            "checkvist.refresh.get-lifecycle",
        ]:
        "GET /auth/login.json answers 405 (only POST logs in)",
    LoginPostSecondSessionRefused = "login.post-second-session-refused"
        => ["checkvist.login.post", "checkvist.login.password", "checkvist.refresh.post-lifecycle"]:
        "a POST login of a user who already holds a live token answers 401 (one session per user)",
    LoginPasswordRefused = "login.password-refused"
        => ["checkvist.login.password"]:
        "login accepts only the Remote API key as remote_key, not the user's password (401)",
    LoginWrongKey403 = "login.wrong-key-403"
        => ["checkvist.login.get-bad-credentials", "checkvist.login.post-bad-credentials"]:
        "a login with a wrong remote_key answers 403 instead of 401",
    LoginUnknownUser404 = "login.unknown-user-404"
        => ["checkvist.login.unknown-user"]:
        "a login with an unknown username answers 404 instead of 401",
    TwofaNotEnforced = "login.2fa-not-enforced"
        => ["checkvist.login.2fa-missing-code"]:
        "a password login of a 2-step account without token2fa gets a token",
    TwofaCodeUnchecked = "login.2fa-code-unchecked"
        => ["checkvist.login.2fa-wrong-code"]:
        "any token2fa code is accepted for a 2-step account",
    TwofaErrorNotJson = "login.2fa-error-not-json"
        => ["checkvist.login.2fa-missing-code", "checkvist.login.2fa-wrong-code", "checkvist.login.2fa-error-body"]:
        "the 2-step verification 422 has a plain-text body instead of {\"error\": ...}",
    TwofaRemoteKeyNeedsCode = "login.2fa-remote-key-needs-code"
        => ["checkvist.login.2fa-remote-key"]:
        "a Remote API key login of a 2-step account needs token2fa too (422)",
    // ------------------------------------------------------------------ refresh_token
    RefreshOldTokenKept = "refresh.old-token-kept"
        => ["checkvist.refresh.post-lifecycle", "checkvist.refresh.get-lifecycle"]:
        "refresh_token returns a new token but the old one keeps working",
    RefreshSameToken = "refresh.same-token"
        => ["checkvist.refresh.post-lifecycle", "checkvist.refresh.get-lifecycle", "checkvist.refresh.expired-token"]:
        "refresh_token answers the old token again (and keeps it) instead of a new one",
    RefreshGetUnsupported = "refresh.get-unsupported"
        => ["checkvist.refresh.get-lifecycle", "checkvist.refresh.get-bad-old-token", "checkvist.refresh.expired-token"]:
        "GET /auth/refresh_token.json answers 405 (only POST refreshes)",
    RefreshPostUnsupported = "refresh.post-unsupported"
        => ["checkvist.refresh.post-lifecycle", "checkvist.refresh.post-bad-old-token"]:
        "POST /auth/refresh_token.json answers 405 (only GET refreshes)",
    RefreshBadToken403 = "refresh.bad-token-403"
        => ["checkvist.refresh.get-bad-old-token", "checkvist.refresh.post-bad-old-token", "checkvist.refresh.get-lifecycle"]:
        "a bad old_token answers 403 instead of 401",
    RefreshExpiredRefused = "refresh.expired-refused"
        => ["checkvist.refresh.expired-token"]:
        "a token past its 1-day validity cannot be refreshed (401)",
    // ------------------------------------------------------------------ .json / .xml
    ChecklistsXmlAsJson = "format.checklists-xml-as-json"
        => ["checkvist.format.checklists", "checkvist.timestamps.checklists-xml"]:
        "GET /checklists.xml answers JSON",
    ChecklistXmlAsJson = "format.checklist-xml-as-json"
        => [
            "checkvist.format.checklist",
            "checkvist.checklists.lifecycle-xml",
            "checkvist.checklists.create-xml",
            "checkvist.timestamps.lifecycle",
        ]:
        "one checklist through .xml (create, read, update, delete) answers JSON",
    TasksXmlAsJson = "format.tasks-xml-as-json"
        => [
            "checkvist.format.tasks",
            "checkvist.tasks.create-xml",
            "checkvist.tasks.with-notes",
            "checkvist.timestamps.tasks-xml-omitted",
            "checkvist.checklists.public-readable",
        ]:
        "GET /checklists/ID/tasks.xml answers JSON",
    TaskXmlAsJson = "format.task-xml-as-json"
        => ["checkvist.format.task", "checkvist.tasks.parents-chain", "checkvist.timestamps.tasks-xml-omitted-lifecycle"]:
        "GET /checklists/ID/tasks/ID.xml answers JSON",
    NotesXmlAsJson = "format.notes-xml-as-json"
        => ["checkvist.format.notes", "checkvist.notes.xml", "checkvist.timestamps.notes-xml", "checkvist.timestamps.lifecycle"]:
        "GET /checklists/ID/tasks/ID/comments.xml answers JSON",
    CurrentUserXmlAsJson = "format.current-user-xml-as-json"
        => ["checkvist.format.current-user"]:
        "GET /auth/curr_user.xml answers JSON",
    TaskWritesXmlAsJson = "format.task-writes-xml-as-json"
        => [
            "checkvist.tasks.create-xml",
            "checkvist.tasks.update",
            "checkvist.status.leaf",
            "checkvist.status.cascade",
            "checkvist.tasks.delete",
            "checkvist.tasks.repeat",
            "checkvist.tags.set-tags",
            "checkvist.import.xml",
        ]:
        "task writes through .xml (create, import, update, tags, status, repeat, delete) answer JSON",
    NoteWritesXmlAsJson = "format.note-writes-xml-as-json"
        => ["checkvist.notes.xml"]:
        "note writes through .xml (create, update, delete) answer JSON",
    // ------------------------------------------------------------------ _method
    OverridePutIgnored = "method-override.put-ignored"
        => ["checkvist.method-override.put-checklist", "checkvist.method-override.task", "checkvist.method-override.note"]:
        "POST with _method=PUT is not taken as a PUT (405)",
    OverrideDeleteIgnored = "method-override.delete-ignored"
        => ["checkvist.method-override.delete-checklist", "checkvist.method-override.task", "checkvist.method-override.note"]:
        "POST with _method=DELETE is not taken as a DELETE (405)",
    // ------------------------------------------------------------------ checklists
    DefaultOrderOldestFirst = "checklists.default-order-oldest-first"
        => ["checkvist.checklists.default-order", "checkvist.checklists.order-lifecycle"]
        ~ "the default order is the one of the user's Checkvist UI; recently updated first is only the UI's default":
        "by default the checklists come least recently updated first",
    ChecklistOrderIdAscIgnored = "checklists.order-id-asc-ignored"
        => ["checkvist.checklists.order-id-asc", "checkvist.checklists.order-lifecycle"]:
        "order=id:asc is ignored on the checklists list (default order)",
    ChecklistOrderIdDescIgnored = "checklists.order-id-desc-ignored"
        => ["checkvist.checklists.order-id-desc", "checkvist.checklists.order-lifecycle"]:
        "order=id:desc is ignored on the checklists list (default order)",
    ChecklistOrderUpdatedAscIgnored = "checklists.order-updated-asc-ignored"
        => ["checkvist.checklists.order-updated-asc", "checkvist.checklists.order-lifecycle"]:
        "order=updated_at:asc is ignored on the checklists list (default order)",
    ArchivedIgnored = "checklists.archived-ignored"
        => ["checkvist.checklists.archived-listed", "checkvist.checklists.archived"]:
        "archived=true is ignored: the non-archived lists are returned",
    ArchivedFlagFalse = "checklists.archived-flag-false"
        => ["checkvist.checklists.archived-listed", "checkvist.checklists.archived"]:
        "archived lists say `archived: false`",
    ArchivedListedByDefault = "checklists.archived-listed-by-default"
        => ["checkvist.checklists.not-archived-by-default"]
        ~ "the document says what archived=true returns, not what the default listing leaves out":
        "the default checklists list includes the archived lists",
    SkipStatsIgnored = "checklists.skip-stats-ignored"
        => ["checkvist.checklists.skip-stats", "checkvist.checklists.skip-stats-lifecycle"]
        ~ "\"missing stats about number of users/tasks\" names no field and no form: which fields skip_stats leaves out, and how, is our reading":
        "skip_stats=true still returns task_count / task_completed",
    StatsMissing = "checklists.stats-missing"
        => ["checkvist.checklists.stats-by-default", "checkvist.checklists.task-counts", "checkvist.checklists.skip-stats-lifecycle"]:
        "task_count / task_completed are left out even without skip_stats",
    TaskCountAllTasks = "checklists.task-count-all-tasks"
        => ["checkvist.checklists.task-counts"]:
        "task_count counts every task, not only the leaves",
    TaskCompletedZero = "checklists.task-completed-zero"
        => ["checkvist.checklists.task-counts", "checkvist.checklists.skip-stats-lifecycle"]:
        "task_completed is always 0",
    ChecklistGetNameEmpty = "checklists.get-name-empty"
        => [
            "checkvist.checklists.get",
            "checkvist.checklists.lifecycle",
            "checkvist.checklists.lifecycle-xml",
            "checkvist.checklists.create-xml",
            "checkvist.method-override.put-checklist",
        ]:
        "GET of one checklist answers an empty name",
    PublicFlagIgnored = "checklists.public-flag-ignored"
        => ["checkvist.checklists.public-readable", "checkvist.checklists.lifecycle"]:
        "checklist[public] is ignored on create and update (lists stay non-public)",
    PublicZeroIsTrue = "checklists.public-zero-is-true"
        => ["checkvist.checklists.lifecycle", "checkvist.auth.private-list-lifecycle"]:
        "any checklist[public] value, 0 included, makes the list public",
    ChecklistUpdateReturnsOld = "checklists.update-returns-old"
        => [
            "checkvist.checklists.lifecycle",
            "checkvist.checklists.lifecycle-xml",
            "checkvist.method-override.put-checklist",
            "checkvist.auth.writes-other-schemes",
        ]:
        "a checklist update stores the change but answers the checklist as it was before",
    ChecklistUpdateNotStored = "checklists.update-not-stored"
        => ["checkvist.checklists.lifecycle", "checkvist.method-override.put-checklist"]:
        "a checklist update answers the change but does not store it",
    ChecklistDeleteEmpty = "checklists.delete-returns-empty"
        => [
            "checkvist.checklists.lifecycle",
            "checkvist.checklists.lifecycle-xml",
            "checkvist.method-override.delete-checklist",
            "checkvist.auth.writes-other-schemes",
        ]:
        "deleting a checklist answers an empty object instead of the deleted checklist",
    CreatorIsReader = "checklists.creator-is-reader"
        => ["checkvist.checklists.lifecycle", "checkvist.checklists.create-xml"]
        ~ "the document lists the roles but never says which one the creator of a list gets":
        "the creator of a list is reported as a reader (role 3, read_only true)",
    NotesBumpUpdatedAt = "checklists.notes-bump-updated-at"
        => ["checkvist.checklists.updated-at-ignores-notes"]:
        "adding a note moves the checklist's updated_at forward",
    // ------------------------------------------------------------------ tasks: reading
    TasksById = "tasks.list-by-id"
        => [
            "checkvist.tasks.list-sorted",
            "checkvist.tasks.list-sorted-lifecycle",
            "checkvist.tasks.order-lifecycle",
            "checkvist.tasks.create-position",
            "checkvist.tasks.update-parent-position",
            "checkvist.import.beginning",
            "checkvist.import.position",
        ]:
        "list items come by id (creation order) instead of by parent_id, position",
    TaskOrderIdAscIgnored = "tasks.order-id-asc-ignored"
        => ["checkvist.tasks.order-id-asc", "checkvist.tasks.order-lifecycle"]:
        "order=id:asc is ignored on list items (position order)",
    TaskOrderIdDescIgnored = "tasks.order-id-desc-ignored"
        => ["checkvist.tasks.order-id-desc", "checkvist.tasks.order-lifecycle"]:
        "order=id:desc is ignored on list items (position order)",
    TaskOrderUpdatedAscIgnored = "tasks.order-updated-asc-ignored"
        => ["checkvist.tasks.order-updated-asc"]:
        "order=updated_at:asc is ignored on list items (position order)",
    DeletedFalseListed = "tasks.deleted-false-listed"
        => [
            "checkvist.tasks.no-deleted-attribute",
            "checkvist.tasks.list-sorted-lifecycle",
            "checkvist.tasks.delete",
        ]:
        "list items carry `deleted: false` (the attribute is not only on deleted items)",
    GetTaskWithoutParents = "tasks.get-without-parents"
        => ["checkvist.tasks.parents-chain", "checkvist.tasks.update-parent-position"]:
        "GET of one task answers only the task, not its parents",
    WithNotesIgnored = "tasks.with-notes-ignored"
        => ["checkvist.tasks.with-notes", "checkvist.notes.lifecycle"]:
        "with_notes=true is ignored: tasks carry no notes",
    RootParentIsChecklist = "tasks.root-parent-id-checklist"
        => ["checkvist.tasks.create", "checkvist.tasks.parents-chain", "checkvist.import.hierarchy"]:
        "in JSON a root task's parent_id is its checklist's id instead of 0",
    XmlRootParentZero = "tasks.xml-root-parent-zero"
        => ["checkvist.tasks.create-xml"]:
        "in XML a root task's parent_id is 0 instead of empty",
    PositionsOffByOne = "tasks.positions-off-by-one"
        => [
            "checkvist.tasks.create",
            "checkvist.tasks.create-position",
            "checkvist.tasks.create-child",
            "checkvist.tasks.create-xml",
            "checkvist.import.beginning",
            "checkvist.import.position",
            "checkvist.tasks.update-parent-position",
        ]:
        "positions are written one too high (the first item of a parent is 2, not 1)",
    CreatePositionIgnored = "tasks.create-position-ignored"
        => ["checkvist.tasks.create-position", "checkvist.tasks.order-lifecycle", "checkvist.tasks.list-sorted-lifecycle"]:
        "task[position] is ignored on create (the task goes to the end)",
    CreateDefaultAtBeginning = "tasks.create-default-at-beginning"
        => ["checkvist.tasks.create-position", "checkvist.tasks.order-lifecycle", "checkvist.tasks.list-sorted-lifecycle"]:
        "without task[position] a task is added at the beginning instead of the end",
    CreateParentIgnored = "tasks.create-parent-ignored"
        => [
            "checkvist.tasks.create-child",
            "checkvist.tasks.parents-chain",
            "checkvist.checklists.task-counts",
            "checkvist.status.cascade",
            "checkvist.status.cumulative",
            "checkvist.tasks.delete",
        ]:
        "task[parent_id] is ignored on create (every task is a root task)",
    ChildrenIdsMissing = "tasks.children-ids-missing"
        => ["checkvist.tasks.create-child", "checkvist.import.parent", "checkvist.tasks.update-parent-position"]:
        "the `tasks` array (children ids) is always empty",
    CreateStatusIgnored = "tasks.create-status-ignored"
        => ["checkvist.tasks.create-status"]:
        "task[status] is ignored on create (tasks start open)",
    NewTaskClosed = "tasks.new-task-closed"
        => ["checkvist.tasks.create", "checkvist.tasks.create-xml"]
        ~ "the document gives task[status] no default; that a new task is open is our reading":
        "a task created without task[status] starts closed",
    CreateTagsIgnored = "tasks.create-tags-ignored"
        => ["checkvist.tasks.create", "checkvist.tasks.update-tags-replace", "checkvist.tags.delete-tag"]:
        "task[tags] is ignored on create",
    CreatePriorityIgnored = "tasks.create-priority-ignored"
        => ["checkvist.tasks.create", "checkvist.tasks.priority-range"]:
        "task[priority] is ignored on create",
    // ------------------------------------------------------------------ import
    ImportAtEnd = "import.added-at-end"
        => ["checkvist.import.beginning"]:
        "imported items are added to the end of the list instead of the beginning",
    ImportFlat = "import.flat"
        => ["checkvist.import.hierarchy"]
        ~ "the import format is \"Checkvist's import function\"'s, which the document does not describe; that indentation nests is our reading":
        "indentation is ignored on import: every line becomes a root item",
    ImportNoteIgnored = "import.note-ignored"
        => ["checkvist.import.note"]:
        "import_content_note is ignored",
    ImportParseIgnored = "import.parse-tasks-ignored"
        => ["checkvist.import.parse-tasks"]:
        "parse_tasks is ignored: #tags stay in the text",
    ImportPositionIgnored = "import.position-ignored"
        => ["checkvist.import.position"]:
        "position is ignored on import (items go to the beginning)",
    ImportSingleItemIgnored = "import.single-item-ignored"
        => ["checkvist.import.single-item"]:
        "separate_with_empty_line=singleItem is ignored: each line is an item",
    ImportEmptyLineIgnored = "import.empty-line-ignored"
        => ["checkvist.import.empty-line"]:
        "separate_with_empty_line (other values) is ignored: each line is an item",
    ImportStatusIgnored = "import.status-ignored"
        => ["checkvist.import.status"]:
        "status is ignored on import (the first item stays open)",
    ImportParentIgnored = "import.parent-ignored"
        => ["checkvist.import.parent"]:
        "parent_id is ignored on import (items are imported at the root)",
    ImportReplaceIgnored = "import.replace-existing-ignored"
        => ["checkvist.import.replace-existing"]:
        "replace_existing is ignored (the existing items stay)",
    // ------------------------------------------------------------------ tasks: updating
    UpdateChangesStatus = "tasks.update-changes-status"
        => ["checkvist.tasks.update"]:
        "an update with task[status] changes the task's status",
    UpdateNotStored = "tasks.update-not-stored"
        => ["checkvist.tasks.update", "checkvist.method-override.task"]:
        "a task update answers the change but does not store it",
    UpdatePositionIgnored = "tasks.update-position-ignored"
        => ["checkvist.tasks.update-parent-position"]:
        "task[position] is ignored on update",
    UpdateParentIgnored = "tasks.update-parent-ignored"
        => ["checkvist.tasks.update-parent-position"]:
        "task[parent_id] is ignored on update",
    UpdateTagsMerged = "tasks.update-tags-merged"
        => ["checkvist.tasks.update-tags-replace"]:
        "task[tags] on update adds to the tags instead of replacing them",
    UpdateTagsHashIgnored = "tasks.update-tags-hash-ignored"
        => ["checkvist.tasks.update-tags-hash"]:
        "on update, tags given as a hash or as tags_as_text are ignored",
    UpdateAssigneesIgnored = "tasks.update-assignees-ignored"
        => ["checkvist.tasks.update-assignees"]:
        "task[assignee_ids] is ignored on update",
    PriorityZeroIgnored = "tasks.priority-zero-ignored"
        => ["checkvist.tasks.priority-range"]:
        "task[priority]=0 is ignored (the earlier priority stays)",
    UpdateParseIgnored = "tasks.update-parse-ignored"
        => ["checkvist.tasks.update-parse"]:
        "parse=true is ignored on update: #tags stay in the text",
    // ------------------------------------------------------------------ tags call
    TagsTaskIdsIgnored = "tags.task-ids-ignored"
        => ["checkvist.tags.delete-tag", "checkvist.tags.set-tags"]:
        "task_ids is ignored by the tags call (only the item of the URL changes)",
    DeleteTagClearsAll = "tags.delete-tag-clears-all"
        => ["checkvist.tags.delete-tag", "checkvist.tags.set-tags"]:
        "delete_tag removes every tag of the item, not only the one named",
    TagsSplitOnComma = "tags.tags-split-on-comma"
        => ["checkvist.tags.set-tags"]:
        "the tags parameter is split on commas, not spaces",
    TagsAnswerBeforeChange = "tags.answer-before-change"
        => ["checkvist.tags.set-tags"]
        ~ "\"returns a javascript array of items\" does not say which items, nor in which state":
        "the tags call stores the change but answers the items as they were before it",
    // ------------------------------------------------------------------ status
    InvalidateCloses = "status.invalidate-closes"
        => ["checkvist.status.leaf", "checkvist.status.cascade"]:
        "invalidate sets status 1 (closed) instead of 2",
    NoCascade = "status.no-cascade"
        => ["checkvist.status.cascade"]:
        "a status change of a non-leaf task leaves its children as they were",
    ChildrenNotReturned = "status.children-not-returned"
        => ["checkvist.status.cascade"]:
        "a status change answers only the changed task, not its children",
    NotCumulative = "status.not-cumulative"
        => ["checkvist.status.cumulative"]:
        "a non-leaf task's status is its own, not the cumulative status of its children",
    ReopenIgnored = "status.reopen-ignored"
        => ["checkvist.status.leaf", "checkvist.status.cascade", "checkvist.status.cumulative"]:
        "reopen leaves the status as it was",
    // ------------------------------------------------------------------ repeat, delete
    RepeatReturnsList = "tasks.repeat-returns-list"
        => ["checkvist.tasks.repeat"]:
        "the repeat call answers an array holding the task instead of the task",
    DeleteKeepsChildren = "tasks.delete-keeps-children"
        => ["checkvist.tasks.delete"]:
        "deleting a task leaves its children (moved to the root)",
    DeleteNoFlag = "tasks.delete-no-deleted-flag"
        => ["checkvist.tasks.delete", "checkvist.method-override.task"]:
        "the deleted task is answered without `deleted: true`",
    // ------------------------------------------------------------------ notes
    CommentsCountZero = "notes.comments-count-zero"
        => ["checkvist.notes.lifecycle"]:
        "comments_count is always 0",
    NoteUpdateReturnsOld = "notes.update-returns-old"
        => ["checkvist.notes.lifecycle"]
        ~ "the update \"returns created note\": that the answer shows the new text is our reading":
        "a note update stores the new text but answers the old one",
    NoteDeleteKeeps = "notes.delete-keeps-note"
        => ["checkvist.notes.lifecycle", "checkvist.method-override.note", "checkvist.notes.xml"]:
        "deleting a note answers it but does not delete it",
    // ------------------------------------------------------------------ timestamps
    ChecklistJsonIso = "timestamps.checklist-json-iso8601"
        => ["checkvist.timestamps.checklists-json", "checkvist.timestamps.lifecycle"]:
        "checklist timestamps in JSON are ISO 8601 instead of YYYY/MM/DD HH:MM:SS +0000",
    TaskJsonIso = "timestamps.task-json-iso8601"
        => [
            "checkvist.timestamps.tasks-updated-json",
            "checkvist.timestamps.tasks-created-json",
            "checkvist.timestamps.tasks-xml-omitted-lifecycle",
            "checkvist.timestamps.lifecycle",
        ]:
        "task timestamps in JSON are ISO 8601 instead of YYYY/MM/DD HH:MM:SS +0000",
    NoteJsonIso = "timestamps.note-json-iso8601"
        => ["checkvist.timestamps.notes-json", "checkvist.timestamps.notes-updated-json", "checkvist.timestamps.lifecycle"]:
        "note timestamps in JSON are ISO 8601 instead of YYYY/MM/DD HH:MM:SS +0000",
    XmlTimestampsJsonFormat = "timestamps.xml-json-format"
        => [
            "checkvist.timestamps.checklists-xml",
            "checkvist.timestamps.notes-xml",
            "checkvist.notes.xml",
            "checkvist.timestamps.lifecycle",
        ]:
        "XML timestamps are written YYYY/MM/DD HH:MM:SS +0000 instead of ISO 8601",
    TaskXmlTimestamps = "timestamps.task-xml-timestamps"
        => ["checkvist.timestamps.tasks-xml-omitted", "checkvist.timestamps.tasks-xml-omitted-lifecycle"]:
        "task XML carries updated_at and created_at",
}

crate::variants! {
    Created201 = "created-201":
        "creating a checklist, a task, an import or a note answers 201 Created: the document names no success status for any call, only what the answer holds",
    StringIds = "string-ids":
        "every id in JSON (id, checklist_id, parent_id, task_id, user_id, the tasks and assignee_ids arrays) is a string of digits, a root task's parent_id \"0\": the document shows ids only in XML examples and never types them in JSON",
    ArchivedTrueAdds = "archived-true-adds":
        "archived=true returns every list, the archived ones among them: \"If set to true, returns archived lists\" does not say the others are left out",
    ArchivedByDefault = "archived-by-default":
        "the default listing holds the archived lists too, and archived=true narrows it to them: the document says only what archived=true returns",
    SparseFields = "sparse-fields":
        "`archived` is written only when true (the Checklist XML example leaves it out) and a task without priority has no `priority` attribute instead of null (\"Optional task priority\")",
    XmlOffsetTimestamps = "xml-offset-timestamps":
        "XML timestamps carry the offset +00:00 instead of Z: the document asks ISO 8601, and shows Z only in its example",
    NotesAsNodes = "notes-as-nodes":
        "with_notes puts the notes under `nodes` in JSON and as <notes><node> in XML, and the notes list is <notes><node>, as the with_notes sentence words it (\"property nodes\", \"subnodes <node>\"); the field heading and the Note XML example say notes / <note>",
    UiSortedByName = "ui-sorted-by-name":
        "the user's Checkvist UI sorts lists by name, so the default checklist order is by name: \"Sorting is the same as in user's Checkvist UI\", recently updated first being only its default",
    ImportTabs = "import-tabs":
        "import nests a line under the one above only when it is indented with a tab; leading spaces are trimmed: the document refers to \"Checkvist's import function\" for the format and does not describe it",
    HtmlRefusals = "html-refusals":
        "refusals the document gives no status or body for (no or bad credentials on a list, unknown ids, bad input, other methods) answer an HTML page, missing or bad credentials with 403: only login and refresh_token name 401, and only the 2-step 422 has a body",
    EmptyAccount = "empty-account":
        "the user has no checklist at all before the run (and so no archived list to name as a fixture): the document says nothing of the data a target holds",
    SharedLists = "shared-lists":
        "some of the user's lists are shared with them as writer (role 2) or reader (role 3, read_only true, writes refused): the document lists the roles but not how a target's lists are arranged",
    TwofaCodeAlways = "twofa-code-always":
        "a 2-step verification account needs token2fa with its Remote API key too (422 without): \"If 2-step verification is enabled and the token2fa code is missing or wrong, returns HTTP status 422\", while the Remote API key sentence is advice (\"should use Remote API key\")",
}
