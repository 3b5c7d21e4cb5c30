//! The documented behaviours the Checklists mock can break, one at a time, and the rules that
//! must catch each; and its faithful variants.

crate::faults! {
    MissingKeyAccepted = "auth.missing-key-accepted"
        => ["checklist-items.auth.missing-key", "checklist-items.auth.required-on-writes"]:
        "a request without an Authorization header is served as the key's owner",
    InvalidKeyAccepted = "auth.invalid-key-accepted"
        => ["checklist-items.auth.invalid-key", "checklist-items.auth.required-on-writes"]:
        "any Bearer value is accepted as an API key",
    WritesUnauthenticated = "auth.writes-unauthenticated"
        => ["checklist-items.auth.required-on-writes"]:
        "writes (POST, PUT, PATCH, DELETE) are served without checking the API key",
    ListResourceTypeOptional = "list.resource-type-optional"
        => ["checklist-items.list.requires-resource-type", "checklist-items.list.requires-parent"]:
        "a list without resource_type is not refused: it lists the items of that id of any type",
    ListResourceIdOptional = "list.resource-id-optional"
        => ["checklist-items.list.requires-resource-id", "checklist-items.list.requires-parent"]:
        "a list without resource_id is not refused: it answers an empty list",
    ListResourceIdUnchecked = "list.resource-id-unchecked"
        => ["checklist-items.list.resource-id-integer"]
        ~ "the table types resource_id for the client; no sentence says other values are refused":
        "a resource_id that is not an integer answers 200 with an empty list",
    ListMessageWrong = "list.message-wrong"
        => ["checklist-items.list.envelope"]
        ~ "the list's message appears only in the example answer":
        "the list's message is \"Checklists fetched successfully.\"",
    ListScopeIgnoresType = "list.scope-ignores-type"
        => ["checklist-items.list.scoped-to-parent"]:
        "a list holds the items of every parent with that id, whatever its type",
    ProgressPageOnly = "progress.page-only"
        => ["checklist-items.progress.full-set"]:
        "meta.progress counts the items of the page, not the parent's full set",
    ProgressUncompleteNotCounted = "progress.uncomplete-not-counted"
        => ["checklist-items.progress.follows-status"]:
        "setting a completed item back to pending leaves meta.progress.completed as it was",
    ProgressPercentageFraction = "progress.percentage-fraction"
        => ["checklist-items.progress.percentage-scale"]
        ~ "the document shows percentage only as 0 and never defines its scale":
        "meta.progress.percentage is a fraction (0 to 1), not a percentage",
    DefaultPageSize20 = "pagination.default-size-20"
        => ["checklist-items.pagination.default-limit"]
        ~ "the default page size of 25 appears only in the example answer":
        "without a limit, pages hold 20 items (per_page 20) instead of 25",
    PageIgnored = "pagination.page-ignored"
        => ["checklist-items.pagination.limit-and-page"]:
        "the page parameter is ignored: every list is page 1",
    LimitMax99 = "pagination.limit-max-99"
        => ["checklist-items.pagination.limit-100-accepted"]:
        "limits are capped at 99, so limit=100 gives per_page 99",
    LimitUncapped = "pagination.limit-uncapped"
        => ["checklist-items.pagination.limit-max-100"]:
        "a limit above 100 is honoured (limit=101 gives per_page 101)",
    DefaultSortById = "sort.default-by-id"
        => [
            "checklist-items.sort.default-position-asc",
            "checklist-items.sort.desc-with-default-sort",
        ]:
        "without sort, items come by id (creation order) instead of by position",
    PositionDescIgnored = "sort.position-desc-ignored"
        => ["checklist-items.sort.position-order"]:
        "sort=checklist_position ignores order=desc (always ascending)",
    DefaultSortDescIgnored = "sort.default-desc-ignored"
        => ["checklist-items.sort.desc-with-default-sort"]:
        "order=desc is ignored when sort is not given",
    SortStatusIgnored = "sort.status-ignored"
        => ["checklist-items.sort.status"]:
        "sort=checklist_status is ignored: items come by position",
    SortCreatedIgnored = "sort.created-ignored"
        => ["checklist-items.sort.created"]:
        "sort=checklist_created is ignored: items come by position",
    CreateMessageWrong = "create.message-wrong"
        => ["checklist-items.create.returns-201"]
        ~ "the create's message appears only in the example answer":
        "a create answers the message \"Checklist item created.\"",
    CreatePositionsFromZero = "create.positions-from-zero"
        => ["checklist-items.create.first-position-one"]
        ~ "only examples show a first item at position 1":
        "the first item of a parent gets position 0",
    CreateAfterLastCreated = "create.after-last-created"
        => ["checklist-items.create.appended-last"]:
        "a new item is placed after the parent's last created item, not after the highest position",
    CreateTextOptional = "create.text-optional"
        => ["checklist-items.create.requires-text"]:
        "a create without checklist_text creates an item with an empty text",
    CreateResourceTypeOptional = "create.resource-type-optional"
        => ["checklist-items.create.requires-resource-type"]:
        "a create without checklistresource_type creates the item under a `task`",
    CreateResourceIdOptional = "create.resource-id-optional"
        => ["checklist-items.create.requires-resource-id"]:
        "a create without checklistresource_id creates the item under the parent id 0",
    CreateResourceIdUnchecked = "create.resource-id-unchecked"
        => ["checklist-items.create.resource-id-integer"]
        ~ "the table types checklistresource_id for the client; no sentence says other values are refused":
        "a checklistresource_id that is not an integer is accepted (as the parent id 0)",
    GetMessageWrong = "get.message-wrong"
        => ["checklist-items.get.returns-200"]:
        "a read answers the message \"Checklist found.\"",
    CommentsCountMissing = "object.comments-count-missing"
        => ["checklist-items.object.fields", "checklist-items.comments.count"]:
        "an item read by id has no comments_count",
    ResourceTypeAlwaysTask = "object.resource-type-always-task"
        => ["checklist-items.object.parent"]:
        "every item says its parent is a `task`, whatever it was created under",
    DatesLowercase = "object.dates-lowercase"
        => ["checklist-items.object.dates-format"]
        ~ "only the example shows the dates' format":
        "dates are written with a lowercase `t` and `z` (2026-06-17t09:30:00.000000z)",
    UpdateTextNotSaved = "update.text-not-saved"
        => ["checklist-items.update.returns-200"]:
        "an update answers the new text but does not store it",
    UpdateTextOptional = "update.text-optional"
        => ["checklist-items.update.requires-text"]:
        "an update without checklist_text empties the text",
    DeleteLeavesListed = "delete.leaves-listed"
        => ["checklist-items.delete.returns-200"]:
        "a deleted item reads 404 but stays in its parent's list and progress",
    DeleteOrphansComments = "delete.orphans-comments"
        => ["checklist-items.delete.cascades-comments"]:
        "deleting an item leaves its comments: they can still be listed and deleted",
    StatusCompletedIsFinal = "status.completed-is-final"
        => ["checklist-items.status.change", "checklist-items.progress.follows-status"]:
        "a completed item cannot be set back to pending (the change is ignored)",
    StatusAnyValue = "status.any-value"
        => ["checklist-items.status.invalid"]:
        "any status value is accepted and stored",
    StatusMissingIgnored = "status.missing-ignored"
        => ["checklist-items.status.required"]:
        "a status change without status answers 200, the item unchanged",
    ReorderEchoSorted = "reorder.echo-sorted"
        => ["checklist-items.reorder.sets-positions"]
        ~ "the reorder's echo of the ids appears only in the example answer":
        "the reorder answer lists the ids sorted ascending, not in the order sent",
    ReorderOnceOnly = "reorder.once-only"
        => ["checklist-items.reorder.twice"]:
        "a parent can be reordered once; later reorders answer 200 and change nothing",
    ReorderEmptyAccepted = "reorder.empty-accepted"
        => ["checklist-items.reorder.requires-ids"]:
        "a reorder without checklist_ids answers 200 with an empty list",
    ReorderUnknownSkipped = "reorder.unknown-skipped"
        => ["checklist-items.reorder.unknown-id"]:
        "ids of a reorder that do not exist are skipped, and the reorder answers 200",
    ReorderNonIntegersSkipped = "reorder.non-integers-skipped"
        => ["checklist-items.reorder.ids-integers"]
        ~ "the table types checklist_ids for the client; no sentence says other values are refused":
        "ids of a reorder that are not integers are skipped, and the reorder answers 200",
    CommentAddMessageWrong = "comments.add-message-wrong"
        => ["checklist-items.comments.add"]:
        "adding a comment answers the message \"Comment added successfully.\"",
    CommentsLatestOnly = "comments.list-latest-only"
        => ["checklist-items.comments.list"]:
        "the comments list holds only the newest comment",
    CommentDeleteNoop = "comments.delete-noop"
        => ["checklist-items.comments.delete", "checklist-items.comments.count"]:
        "deleting a comment answers success but keeps it",
    CommentsCountStale = "comments.count-stale"
        => ["checklist-items.comments.count"]:
        "comments_count is always 0",
    CommentTextOptional = "comments.text-optional"
        => ["checklist-items.comments.requires-comment"]:
        "a comment without its text is added with an empty text",
    UnknownCommentDeleted = "comments.unknown-comment-deleted"
        => ["checklist-items.comments.unknown-comment", "checklist-items.comments.delete"]:
        "deleting a comment id the item does not have answers success",
    GetUnknownNot404 = "errors.get-unknown-400"
        => ["checklist-items.errors.not-found-get", "checklist-items.delete.returns-200"]:
        "reading an unknown checklist id answers 400 instead of 404",
    UpdateUnknownNot404 = "errors.update-unknown-400"
        => ["checklist-items.errors.not-found-update"]:
        "updating an unknown checklist id answers 400 instead of 404",
    DeleteUnknownNot404 = "errors.delete-unknown-400"
        => ["checklist-items.errors.not-found-delete", "checklist-items.delete.returns-200"]:
        "deleting an unknown checklist id answers 400 instead of 404",
    StatusUnknownNot404 = "errors.status-unknown-400"
        => ["checklist-items.errors.not-found-status"]:
        "changing the status of an unknown checklist id answers 400 instead of 404",
    CommentsListUnknownNot404 = "errors.comments-list-unknown-400"
        => ["checklist-items.errors.not-found-comments-list", "checklist-items.delete.cascades-comments"]:
        "listing the comments of an unknown checklist id answers 400 instead of 404",
    CommentAddUnknownNot404 = "errors.comment-add-unknown-400"
        => ["checklist-items.errors.not-found-comment-add"]:
        "commenting on an unknown checklist id answers 400 instead of 404",
    CommentDeleteUnknownNot404 = "errors.comment-delete-unknown-item-400"
        => ["checklist-items.errors.not-found-comment-delete", "checklist-items.delete.cascades-comments"]:
        "deleting a comment of an unknown checklist id answers 400 instead of 404",
    ValidationEnvelopeFlat = "errors.list-validation-flat"
        => ["checklist-items.errors.validation-envelope", "checklist-items.list.requires-parent"]
        ~ "the document shows one 422 body, as an example of a format described elsewhere":
        "a list without resource_type and resource_id answers 422 with `errors` as a flat list of messages",
    EmptyListTextPlain = "media.empty-list-text-plain"
        => ["checklist-items.media.json"]
        ~ "the document never names a Content-Type; application/json is the convention":
        "a list whose page is empty is served as text/plain (the body still JSON)",
    ProgressMissing = "list.progress-missing"
        => ["checklist-items.list.envelope"]:
        "the list's meta has no progress",
}

crate::variants! {
    ParentsMustExist = "parents-must-exist":
        "a create or list naming a parent that does not exist is refused with 422 (`The selected ... is invalid.`): the document never says whether an item may belong to a parent that does not exist",
    Laravel10Errors = "laravel-10-errors":
        "422 bodies say Laravel 10's summary (`The resource id field is required. (and 1 more error)`) instead of `The given data was invalid.`, 404 bodies `No query results for model ...`, and an unknown key gets 403 (a missing one 401): the document shows one 422 body as an example and no 404 or 401 body or status",
    StringCommentIds = "string-comment-ids":
        "comment ids are UUIDs and creator ids user handles, both strings: the document shows them only as 9 and 1 and types neither",
    AbbreviatedListItems = "abbreviated-list-items":
        "list items carry only id, text and status, as the list example shows them; the whole object is read by id: no sentence says the list repeats every field",
    ReorderKeepsSlots = "reorder-keeps-slots":
        "a reorder gives the items named the positions they already held, sorted, in the order sent (other items keep theirs, positions stay unique): the document says only that positions match the order of the array",
    BusyParent = "busy-parent":
        "the parent the rules write under already holds 30 items (more than a default page), positions 10, 20, ... 300, every third completed: the document says nothing of the data a target holds",
    UntypedAsStrings = "untyped-as-strings":
        "the parent's id inside an item, the creator's id and progress's percentage are strings (`\"2000001\"`, `\"1\"`, `\"40.00\"`, as a decimal column reads): the table does not type them, only examples show numbers",
    OtherMessages = "other-messages":
        "list, create, delete and reorder answer other messages (`Checklist items retrieved.`, ...): these four messages appear only in example answers, unlike the stated ones of get, update, status and comments",
    SqlDates = "sql-dates":
        "dates are written `2026-06-17 09:30:00` (Laravel's format before 7): only the example shows their format",
    TokenAlternatives = "token-alternatives":
        "the key is also accepted as `?api_token=` or an `X-Api-Key` header (Laravel's token guard): the document shows the Bearer header and forbids no other form",
}
