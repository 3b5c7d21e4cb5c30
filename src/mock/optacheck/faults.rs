//! The documented behaviours the OptaCheck mock can break, one at a time, and the rules that
//! must catch each; and its faithful variants.

use crate::{faults, variants};

faults! {
    LoginAnswerNotJson = "auth.login-answer-not-json" => ["optacheck.auth.login-returns-token"]
        ~ "no sentence names the media type of the login's answer; the document only shows it as a JSON body":
        "the login answers the token with Content-Type text/html instead of application/json",
    LoginWrongPasswordAccepted = "auth.login-wrong-password-accepted" => ["optacheck.auth.login-wrong-password"]:
        "the login returns the token for the registered email whatever the password",
    LoginUnknownUserAccepted = "auth.login-unknown-user-accepted" => ["optacheck.auth.login-unknown-user"]:
        "the login checks only the password: an unregistered email with it gets the token",
    TokenAnyKeyword = "auth.token-any-keyword" => ["optacheck.auth.token-keyword"]
        ~ "\"The header must have the following format\" tells the client what to send; that a server refuses the token under another keyword is our reading":
        "the token is also accepted as `Bearer <token>` or bare, not only as `Token <token>`",
    TokenUncheckedRead = "auth.token-unchecked-read" => ["optacheck.auth.token-required-read"]:
        "a read is served with no Authorization or an unknown `Token` (a malformed header is still refused)",
    TokenUncheckedCreate = "auth.token-unchecked-create" => ["optacheck.auth.token-required-create"]:
        "a create is served with no Authorization or an unknown `Token`",
    TokenUncheckedUpdate = "auth.token-unchecked-update" => ["optacheck.auth.token-required-update"]:
        "an update is applied with no Authorization or an unknown `Token`",
    TokenUncheckedDelete = "auth.token-unchecked-delete" => ["optacheck.auth.token-required-delete"]:
        "a delete is applied with no Authorization or an unknown `Token`",
    ApiKeyUncheckedRead = "auth.api-key-unchecked-read" => ["optacheck.auth.api-key-required-read"]:
        "a read is served with no x-api-key or a wrong one",
    ApiKeyUncheckedCreate = "auth.api-key-unchecked-create" => ["optacheck.auth.api-key-required-create"]:
        "a create is served with no x-api-key or a wrong one",
    ApiKeyUncheckedUpdate = "auth.api-key-unchecked-update" => ["optacheck.auth.api-key-required-update"]:
        "an update is applied with no x-api-key or a wrong one",
    ApiKeyUncheckedDelete = "auth.api-key-unchecked-delete" => ["optacheck.auth.api-key-required-delete"]:
        "a delete is applied with no x-api-key or a wrong one",
    ContentTypeIgnoredCreate = "headers.content-type-ignored-create" => ["optacheck.headers.content-type-create"]
        ~ "`Content-Type: application/json` is the client's instruction; that a server refuses JSON declared otherwise is our reading":
        "a create reads its body as JSON whatever its Content-Type (text/plain is accepted)",
    ContentTypeIgnoredUpdate = "headers.content-type-ignored-update" => ["optacheck.headers.content-type-update"]
        ~ "`Content-Type: application/json` is the client's instruction; that a server refuses JSON declared otherwise is our reading":
        "an update reads its body as JSON whatever its Content-Type (text/plain is applied)",
    CreateBodyNotJsonAccepted = "tasks.create-body-not-json-accepted" => ["optacheck.tasks.create-body-not-json"]
        ~ "\"the request body must contain the task data as JSON\" is the client's instruction; what a server does with another body is not stated":
        "a create whose body is not JSON is read as form fields (and assigned to its creator when user_email is missing)",
    OtherWorkspaceAllowed = "workspace.other-workspace-allowed" => ["optacheck.workspace.other-workspace-refused"]:
        "the Workspace ID of the URL is not checked: a task is read, changed and deleted under any workspace id",
    CreateAnswerIncomplete = "tasks.create-answer-incomplete" => [
        "optacheck.tasks.create-returns-201",
        "optacheck.tasks.description-255-accepted",
    ]: "the create answer leaves out the task's description (the task is stored whole)",
    CreateHistoryEmpty = "tasks.create-history-empty" => [
        "optacheck.tasks.create-status-history",
        "optacheck.tasks.update-status-history",
        // It checks status_history[*].date_status, which then selects nothing.
        "optacheck.tasks.timestamps-rfc3339",
    ] ~ "no sentence describes status_history: what it holds is only shown in the examples":
        "a created task starts with an empty status_history instead of one entry for its status",
    DescriptionRequired = "tasks.description-required" => [
        "optacheck.tasks.create-optional-fields",
        // Every rule whose fixture is a create without a description.
        "optacheck.auth.token-keyword",
        "optacheck.auth.token-required-read",
        "optacheck.auth.api-key-required-read",
        "optacheck.auth.token-required-create",
        "optacheck.auth.api-key-required-create",
        "optacheck.auth.token-required-update",
        "optacheck.auth.api-key-required-update",
        "optacheck.auth.token-required-delete",
        "optacheck.auth.api-key-required-delete",
        "optacheck.headers.content-type-create",
        "optacheck.headers.content-type-update",
        "optacheck.workspace.other-workspace-refused",
        "optacheck.tasks.create-status-history",
        "optacheck.tasks.data-empty-accepted",
        "optacheck.tasks.create-with-references",
        "optacheck.tasks.title-max-length",
        "optacheck.tasks.title-100-accepted",
        "optacheck.tasks.timestamps-rfc3339",
        "optacheck.tasks.update-status-history",
        "optacheck.tasks.delete",
    ]: "description, documented (optional), is required on create: a create without it is refused",
    TitleOptional = "tasks.create-title-optional" => ["optacheck.tasks.create-requires-title"]
        ~ "title is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without title is accepted (titled `Untitled task`)",
    StatusOptional = "tasks.create-status-optional" => ["optacheck.tasks.create-requires-status"]
        ~ "status is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without status is accepted (status `assigned`)",
    UserEmailOptional = "tasks.create-user-email-optional" => ["optacheck.tasks.create-requires-user-email"]
        ~ "user_email is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without user_email is accepted (assigned to its creator)",
    CreateDropsReferences = "tasks.create-drops-references" => ["optacheck.tasks.create-with-references"]:
        "a create stores the task without the forms, project and client it was sent (the answer shows none)",
    DataEmptyRefused = "tasks.data-empty-refused" => ["optacheck.tasks.data-empty-accepted"]:
        "a create with an empty data object is refused (400, `This field may not be empty.`)",
    TitleLengthUnchecked = "tasks.title-max-length-unchecked" => ["optacheck.tasks.title-max-length"]:
        "titles longer than 100 characters are accepted, on create and on update",
    TitleMax99 = "tasks.title-max-99" => ["optacheck.tasks.title-100-accepted"]:
        "the title limit is off by one: a title of exactly 100 characters is refused",
    DescriptionLengthUnchecked = "tasks.description-max-length-unchecked" => ["optacheck.tasks.description-max-length"]:
        "descriptions longer than 255 characters are accepted, on create and on update",
    DescriptionMax254 = "tasks.description-max-254" => ["optacheck.tasks.description-255-accepted"]:
        "the description limit is off by one: a description of exactly 255 characters is refused",
    ReadByUserWrong = "tasks.read-by-user-wrong" => [
        "optacheck.tasks.read",
        // It reads by_user back too (an example-based expectation there: a warning).
        "optacheck.tasks.update-partial",
    ]:
        "a read answers by_user as the assigned user's id instead of the creator's",
    TimestampsNotRfc3339 = "tasks.timestamps-not-rfc3339" => ["optacheck.tasks.timestamps-rfc3339"]
        ~ "the timestamps' form is only shown, in the examples' values":
        "timestamps are written `2025-06-20 00:21:19.126137` (no T, no offset) instead of RFC 3339",
    UpdateIgnoresFields = "tasks.update-ignores-fields" => ["optacheck.tasks.update-returns-200"]:
        "an update validates every field but saves only the status (title, description... stay as they were)",
    UpdateReturns202 = "tasks.update-returns-202" => [
        "optacheck.tasks.update-returns-200",
        "optacheck.tasks.update-partial",
        "optacheck.tasks.update-status-history",
    ]: "an update answers 202 Accepted instead of 200 OK (the update is applied)",
    UpdateNotPartial = "tasks.update-not-partial" => ["optacheck.tasks.update-partial"]
        ~ "that an update keeps the fields it does not send is read from the CURL example; no sentence says so":
        "an update replaces the task: optional fields it does not send (description, forms, project, client, data) are cleared",
    UpdateHistoryReplaced = "tasks.update-history-replaced" => ["optacheck.tasks.update-status-history"]
        ~ "no sentence describes status_history: that a change appends to it is only shown in the update example":
        "a status change replaces status_history with one entry for the new status",
    DeleteKeepsTask = "tasks.delete-keeps-task" => ["optacheck.tasks.delete"]:
        "a delete answers 204 but the task can still be read",
    ReadNotJson = "media.read-not-json" => [
        "optacheck.media.json-responses",
        "optacheck.tasks.read",
    ]: "a read answers the task (a JSON body) with Content-Type text/plain",
}

variants! {
    IntegerIds = "integer-ids":
        "task and user ids are JSON integers and the Workspace ID is a number; form, project and client ids are answered as sent (the document shows every id only as a quoted placeholder such as \"<task-id>\")",
    OptionalFieldsAbsent = "optional-fields-absent":
        "answers leave out the optional fields a task does not have (description, forms, project, client, data); the create and update examples themselves show no `data`, and no sentence says unset fields are written",
    OptionalFieldsNull = "optional-fields-null":
        "answers write every optional field a task does not have as null (forms and data too, not [] and {}); the document does not say how an unset optional field is written",
    OtherRefusals = "other-refusals":
        "refusals are not Django REST Framework's: 403 with {\"error\": {...}} for a missing or wrong token, 401 text/plain for a wrong API key, 404 HTML for another workspace or an unknown task, 422 {\"errors\": [...]} for invalid fields, 401 for wrong login credentials, bodiless 415/405; the document names no error status and shows no error body",
    BearerAccepted = "bearer-accepted":
        "the user token is accepted as `Authorization: Bearer <token>` as well as `Token <token>`; the document tells clients which format to send, not that every other is refused",
    AnyContentType = "any-content-type":
        "a body is read as JSON whatever its declared Content-Type (text/plain too); `Content-Type: application/json` is the client's instruction, and no sentence says other types are refused",
    DefaultsOnCreate = "defaults-on-create":
        "a create without status starts `assigned`, one without user_email is assigned to its creator; the field list does not mark them optional (a client must send them) but does not say a server refuses a create without them",
    TruncatesLongText = "truncates-long-text":
        "a title over 100 characters or a description over 255 is shortened to the maximum instead of refused; the document states the maximum, not what happens to longer text",
    TimestampsOtherwise = "timestamps-otherwise":
        "timestamps are RFC 3339 with a +00:00 offset; a create answers milliseconds, every later answer whole seconds (what its database keeps); the document shows only example timestamps",
    LocalizedStatusNames = "localized-status-names":
        "status_history[].status_name is a Spanish display name (Asignada, En progreso, Activa); the document only shows `Assigned` and `In progress` as example values",
    LoginRequiresApiKey = "login-requires-api-key":
        "the login also requires the Workspace API Key (it \"must be sent with every API request\") and answers extra fields beside the token (user_id, expiry); the login section names only the JSON body and shows only `token`",
    SetupOtherwise = "setup-otherwise":
        "the workspace is set up otherwise: its ID is a slug, it holds no tasks before the run, and the assignee of the run's tasks is the login user (user equals by_user); the document says nothing of either",
    DeleteAnswersBody = "delete-answers-body":
        "a delete answers 200 with the deleted task, and a deleted task is answered 410 Gone; the document names no status and shows no body for a delete, nor for a task that was deleted",
}
