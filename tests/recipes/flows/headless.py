client = browser()
created = api_json(client, "post", "/api/guest/")
expect(created.status_code == 201, f"POST api/guest/ answered {created.status_code}")
pk = created.json()["id"]
data = {"email": "ada@example.com", "password": "a-long-enough-pass-7"}
signup = api_json(client, "post", "/_allauth/browser/v1/auth/signup", data)
expect(
    signup.status_code == 200,
    f"headless signup answered {signup.status_code}: {signup.content[:300]}",
)
expect(not Guest.objects.filter(pk=pk).exists(), "the guest was not promoted")
me = client.get("/api/guest/me/").json()
expect(me["id"] == pk and not me["is_guest"], f"me: {me}")
print("flow ok")
