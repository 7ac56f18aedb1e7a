client = browser()
pk = become_guest(client)
to_signup = client.get("/guest/promote/")
expect(to_signup.status_code == 302, f"the promote page answered {to_signup.status_code}")
signup_url = to_signup["Location"]
expect(signup_url.startswith("/accounts/signup/"), f"sent to {signup_url}")
expect(client.get(signup_url).status_code == 200, "allauth's signup page")
form = {"username": "ada", "email": "ada@example.com"}
form |= {"password1": "a-long-enough-pass-7", "password2": "a-long-enough-pass-7"}
response = client.post("/accounts/signup/", form)
expect(response.status_code == 302, f"signup answered {response.status_code}")
expect(not Guest.objects.filter(pk=pk).exists(), "the guest was not promoted")
expect(User.objects.get(pk=pk).username == "ada", "promoted in place")
kept = client.get("/cart/add/8/").json()
expect(kept == {"pk": pk, "cart": [7, 8]}, f"the account lost the guest's cart: {kept}")
print("flow ok")
