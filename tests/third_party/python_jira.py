"""Ordinary use of the popular Python `jira` client (pycontribs/jira) against `planwright sandbox`.

Usage: python3 python_jira.py http://127.0.0.1:PORT
Exits non-zero on the first operation that does not work as it does against Jira Cloud.
"""
import sys

from jira import JIRA


def main(url):
    jira = JIRA(server=url, basic_auth=("demo@example.com", "sandbox-token"), get_server_info=True)
    me = jira.myself()
    assert me["emailAddress"] == "demo@example.com", me

    # get + search
    issues = jira.search_issues("project = DEMO ORDER BY key ASC", maxResults=10)
    assert len(issues) > 0, "search found nothing"
    first = jira.issue(issues[0].key)
    assert first.fields.summary, "issue without summary"

    # create + edit
    created = jira.create_issue(project="DEMO", summary="Third-party client smoke test",
                                description="Created by the python jira client", issuetype={"name": "Task"})
    created.update(fields={"summary": "Third-party client smoke test (edited)", "labels": ["smoke"]})
    assert jira.issue(created.key).fields.summary.endswith("(edited)")

    # comment
    jira.add_comment(created, "A comment from pycontribs/jira")
    assert len(jira.comments(created)) == 1

    # transition
    names = [t["name"] for t in jira.transitions(created)]
    assert names, "no transitions"
    jira.transition_issue(created, names[0])

    # link
    jira.create_issue_link("Blocks", created.key, first.key)
    links = jira.issue(created.key).fields.issuelinks
    assert any(getattr(l, "outwardIssue", None) is not None or getattr(l, "inwardIssue", None) is not None for l in links)

    # sprints
    boards = jira.boards(projectKeyOrID="DEMO")
    assert boards, "no board"
    sprints = jira.sprints(boards[0].id)
    assert sprints, "no sprints"
    future = [s for s in sprints if s.state == "future"] or sprints
    jira.add_issues_to_sprint(future[0].id, [created.key])
    print(f"python jira {sys.modules['jira'].__version__}: ok ({created.key})")


if __name__ == "__main__":
    main(sys.argv[1])
