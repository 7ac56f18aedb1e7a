app = Client(HTTP_USER_AGENT="okhttp/4.12", HTTP_HOST="localhost")
created = api_json(app, "post", "/api/guest/")
expect(created.status_code == 201, f"POST api/guest/ answered {created.status_code}")
body = created.json()
token = {"HTTP_AUTHORIZATION": f"Token {body['token']}"}
app = Client(HTTP_USER_AGENT="okhttp/4.12", HTTP_HOST="localhost")  # the token only, no session
me = app.get("/api/guest/me/", **token).json()
expect(me["is_guest"] and me["id"] == body["id"], f"me: {me}")
data = {"username": "ada", "email": "ada@example.com", "password": "a-long-enough-pass-7"}
promoted = api_json(app, "post", "/api/guest/promote/", data, **token)
expect(promoted.status_code == 200, f"promote answered {promoted.status_code}: {promoted.content}")
expect(promoted.json()["id"] == body["id"], "promotion changed the id")
expect(not Guest.objects.filter(pk=body["id"]).exists(), "still a guest")
print("flow ok")
