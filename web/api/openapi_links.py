"""OpenAPI links: which values of one answer feed which next operation.

They document how the operations chain (record an idea, then move it through its gates with
the version just read) and let stateful tests follow the same chains.
"""

from __future__ import annotations

from web.api.document import Schema

IDEA = {"idea_id": "$response.body#/id"}
SEEN_VERSION = {"expected_version": "$response.body#/version"}
MEETING_OF_IMPORT = {"meeting_id": "$response.body#/meeting/id"}


def _link(operation: str, parameters: dict[str, str], body: Schema | None = None) -> Schema:
    link: Schema = {"operationId": operation, "parameters": parameters}
    if body is not None:
        link["requestBody"] = body  # merged into the rest of the body the client sends
    return link


def _idea_next() -> Schema:
    return {
        "GetIdea": _link("getIdea", IDEA),
        "UpdateIdea": _link("updateIdea", IDEA, SEEN_VERSION),
        "FireTrigger": _link("fireTrigger", IDEA, SEEN_VERSION),
        "IdeaHistory": _link("ideaHistory", IDEA),
        "AddFollower": _link("addFollower", IDEA),
    }


def _follower_next() -> Schema:
    return {
        "RemoveFollower": _link(
            "removeFollower",
            {"idea_id": "$response.body#/idea_id", "contact_id": "$response.body#/contact_id"},
        )
    }


def _meeting_next(parameters: dict[str, str]) -> Schema:
    return {
        "GetMeeting": _link("getMeeting", parameters),
        "GetMeetingReport": _link("getMeetingReport", parameters),
        "AddParticipant": _link("addParticipant", parameters),
        "MeetingDocument": _link("meetingDocument", parameters),
    }


def add_links(paths: Schema) -> Schema:
    """``paths`` with the links added to the answers they start from."""
    links = {
        ("/ideas", "post", "201"): _idea_next(),
        ("/ideas/{idea_id}", "get", "200"): _idea_next(),
        ("/ideas/{idea_id}", "patch", "200"): _idea_next(),
        ("/ideas/{idea_id}/transitions", "post", "200"): _idea_next(),
        ("/ideas/{idea_id}/followers", "post", "201"): _follower_next(),
        ("/ideas/{idea_id}/followers", "post", "200"): _follower_next(),
        ("/imports", "post", "201"): _meeting_next(MEETING_OF_IMPORT),
        ("/meetings/{meeting_id}/participants", "post", "201"): _meeting_next(
            {"meeting_id": "$response.body#/meeting_id"}
        ),
    }
    for (path, method, status), next_operations in links.items():
        paths[path][method]["responses"][status]["links"] = next_operations
    return paths
