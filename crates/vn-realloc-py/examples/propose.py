"""Validate a scenario, propose the moves and write the proposal's JSON on standard output.

    python examples/propose.py scenarios/lang-son-2025-q3 [vi|en] > proposal.json

The bytes written are those of `realloc propose SCENARIO --format json --lang LANG`; a short summary
goes to standard error. A bad scenario ends with the message, file, line and column of its first
error, and exit status 2, as on the command line.
"""

import json
import sys

import realloc


def main() -> int:
    scenario = sys.argv[1] if len(sys.argv) > 1 else "scenarios/lang-son-2025-q3"
    lang = sys.argv[2] if len(sys.argv) > 2 else "vi"
    try:
        report = realloc.load(scenario, lang=lang)
        # The proposal as Python objects (the JSON contract), and the same as the document's bytes.
        proposal = realloc.propose(scenario, lang=lang)
        data = realloc.document(scenario, "json", lang=lang)
    except realloc.BadInput as e:
        where = ":".join(str(x) for x in (e.file, e.line, e.column) if x is not None)
        print(f"bad input ({where or 'no position'}): {e.message}", file=sys.stderr)
        return 2
    assert json.loads(data) == proposal
    summary = report["summary"]
    moved = proposal["summary"]["moved_vnd"] / 1e9
    print(
        f"{summary['name']}: {summary['rows']} rows in {summary['pools']} pools; "
        f"{proposal['summary']['transfers']} transfers move {moved:,.1f} bn VND "
        f"({proposal['manifest']['tool_version']}, {proposal['manifest']['tool_commit']})",
        file=sys.stderr,
    )
    sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
