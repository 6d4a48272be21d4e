from tests.api.conftest import DATA, build_world, API


def test_probe(client, db_session):
    w = build_world("patents")
    for title in ['"\\ud800x"', '"a\\u0000b"']:
        body = '{"title": %s, "abstract": "一种用于测试的方法与系统的说明文字"}' % title
        r = client.post(w.url(), data=body, content_type="application/json", headers=w.headers["member"])
        print(title, r.status_code, r.get_data(as_text=True)[:200])
    r = client.get(f"{API}/patents?q=%00")
    print("q nul", r.status_code)
    r = client.get("/search/patents?q=a%00b")
    print("page q nul", r.status_code)
    r = client.post("/login", data={"email": "a\x00@x.cn", "password": "x"})
    print("login nul", r.status_code)
