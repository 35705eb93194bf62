"""The journal survives a torn last line (a kill in the middle of a write)."""

from autograder.journal import Journal, fingerprint


def test_torn_line_is_ignored_and_the_next_record_starts_clean(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    j.record("a", "nb", fingerprint("t", b"1"))
    with open(j.path, "ab") as f:
        f.write(b'{"student": "b", "note')             # killed mid-write
    assert j.done() == {("a", "nb"): fingerprint("t", b"1")}
    j.record("c", "nb", "fp")
    assert j.done() == {("a", "nb"): fingerprint("t", b"1"), ("c", "nb"): "fp"}


def test_fingerprint_changes_with_the_submission_and_the_template():
    assert fingerprint("t", b"1") != fingerprint("t", b"2") != fingerprint("u", b"2")
