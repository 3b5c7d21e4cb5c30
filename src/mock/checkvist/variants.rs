//! Faithful variants of the Checkvist mock: each keeps every sentence of checkvist.txt and
//! chooses differently where the document is silent.

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
