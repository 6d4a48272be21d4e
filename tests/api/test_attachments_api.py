"""Patent attachments: real PDFs only, size-limited, stored outside the web root, downloaded per policy."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.patents import attachments
from app.patents.models import PatentAttachment
from tests.api.conftest import API, pdf_bytes


def upload(client, world, data: bytes, *, filename="说明书.pdf", content_type="application/pdf", actor="member",
           confidential=False, patent=None):
    patent = patent or world.draft
    query = "?confidential=true" if confidential else ""
    return client.post(
        f"{API}/patents/{patent.id}/attachments{query}",
        data={"file": (io.BytesIO(data), filename, content_type)},
        headers={**world.headers[actor], "Accept-Language": "en"}, content_type="multipart/form-data",
    )


def stored_files(app) -> set[str]:
    root = Path(app.config["UPLOAD_DIR"]) / "patents"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(PatentAttachment))


def test_upload_list_download_delete(client, patent_world, app, db_session):
    data = pdf_bytes(2)
    response = upload(client, patent_world, data, filename="../../etc/技术说明.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["filename"] == "技术说明.pdf" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["confidential"] is False

    row = db_session.get(PatentAttachment, body["id"])
    path = Path(app.config["UPLOAD_DIR"]) / "patents" / row.stored_name
    assert path.read_bytes() == data
    assert row.stored_name != "技术说明.pdf" and len(row.stored_name) == 36  # random hex name
    assert not str(path.resolve()).startswith(str(Path(app.static_folder).resolve()))  # outside the web root

    listed = client.get(f"{API}/patents/{patent_world.draft.id}/attachments", headers=patent_world.headers["member"])
    assert [a["id"] for a in listed.get_json()] == [body["id"]]

    download = client.get(body["download_url"], headers=patent_world.headers["member"])
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "application/pdf" and "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    assert client.delete(f"{API}/attachments/{body['id']}", headers=patent_world.headers["member"]).status_code == 204
    assert count(db_session) == 0 and not path.exists()


def test_confidential_attachment_only_for_insiders(client, patent_world):
    w = patent_world
    public = upload(client, w, pdf_bytes(), patent=w.published).get_json()
    secret = upload(client, w, pdf_bytes(), patent=w.published, confidential=True, filename="保密工艺.pdf").get_json()
    url = f"{API}/patents/{w.published.id}/attachments"
    for actor, sees_secret in {"anonymous": False, "other": False, "member": True, "org_admin": True, "admin": True}.items():
        ids = {a["id"] for a in client.get(url, headers=w.headers[actor]).get_json()}
        assert ids == ({public["id"], secret["id"]} if sees_secret else {public["id"]}), actor
        assert client.get(secret["download_url"], headers=w.headers[actor]).status_code == (200 if sees_secret else 404)
        assert client.get(public["download_url"], headers=w.headers[actor]).status_code == 200


def test_draft_attachments_are_invisible_to_outsiders(client, patent_world):
    w = patent_world
    body = upload(client, w, pdf_bytes()).get_json()
    for actor in ("anonymous", "other"):
        assert client.get(f"{API}/patents/{w.draft.id}/attachments", headers=w.headers[actor]).status_code == 404
        assert client.get(body["download_url"], headers=w.headers[actor]).status_code == 404
    assert client.get(body["download_url"], headers=w.headers["admin"]).status_code == 200


def test_outsiders_cannot_upload_or_delete(client, patent_world, app, db_session):
    w = patent_world
    body = upload(client, w, pdf_bytes(), patent=w.published).get_json()
    files_before = stored_files(app)
    expected = {"anonymous": 401, "other": 403, "admin": 403}
    for actor, status in expected.items():
        assert upload(client, w, pdf_bytes(), patent=w.published, actor=actor).status_code == status, actor
        assert client.delete(f"{API}/attachments/{body['id']}", headers=w.headers[actor]).status_code == status, actor
    assert upload(client, w, pdf_bytes(), actor="other").status_code == 404  # someone else's draft
    assert count(db_session) == 1 and stored_files(app) == files_before


@pytest.mark.parametrize("data, content_type, filename, message", [
    (b"%PDF-1.7\n" + b"0" * 64, "application/pdf", "a.pdf", "cannot be read"),  # right magic, broken body
    (b"MZ\x90\x00 not a pdf at all", "application/pdf", "a.pdf", "not a PDF"),  # wrong magic
    (None, "image/png", "a.png", "Only PDF"),  # a real PDF sent with the wrong content type
    (None, "application/octet-stream", "a.pdf", "Only PDF"),
])
def test_non_pdf_is_422_naming_file_and_writes_nothing(client, patent_world, app, db_session, data, content_type,
                                                        filename, message):
    files_before = stored_files(app)
    response = upload(client, patent_world, data or pdf_bytes(), content_type=content_type, filename=filename)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["file"] and message in errors["file"][0]
    assert count(db_session) == 0 and stored_files(app) == files_before


def test_oversized_pdf_is_422_naming_file(client, patent_world, app, db_session):
    app.config["MAX_ATTACHMENT_BYTES"], limit = 2048, app.config["MAX_ATTACHMENT_BYTES"]
    try:
        big = pdf_bytes() + b"%" + b"x" * 4096  # a comment after %%EOF keeps it a valid PDF
        response = upload(client, patent_world, big)
        assert response.status_code == 422 and "2 KB" in response.get_json()["errors"]["file"][0]
        assert upload(client, patent_world, pdf_bytes()).status_code == 201  # within the limit
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = limit
    assert count(db_session) == 1


def test_missing_file_field_is_422_naming_file(client, patent_world, db_session):
    response = client.post(f"{API}/patents/{patent_world.draft.id}/attachments", data={"other": "x"},
                           headers=patent_world.headers["member"], content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert count(db_session) == 0


def test_failed_commit_keeps_no_orphan_file(patent_world, app, db_session, monkeypatch):
    """A database failure while saving the row removes the file already written."""
    from werkzeug.datastructures import FileStorage

    from app.core.identity import Identity

    def broken_flush(*args, **kwargs):
        raise RuntimeError("database down")

    files_before = stored_files(app)
    monkeypatch.setattr(db_session, "flush", broken_flush)
    owner = Identity.of(patent_world.member)
    with pytest.raises(RuntimeError):
        attachments.add(owner, patent_world.draft.id, FileStorage(io.BytesIO(pdf_bytes()), "a.pdf",
                                                                  content_type="application/pdf"))
    monkeypatch.undo()
    assert stored_files(app) == files_before
