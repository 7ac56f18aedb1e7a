client = browser()
pk = become_guest(client)
page = client.get("/guest/promote/?next=/cart/add/8/")
expect(page.status_code == 200, f"the promote page answered {page.status_code}")
form = {"username": "ada", "email": "ada@example.com"}
form |= {"password1": "a-long-enough-pass-7", "password2": "a-long-enough-pass-7"}
# Without next: the fresh project has no /accounts/profile/, so the home page.
response = client.post("/guest/promote/", form)
expect(response.status_code == 302, f"promotion answered {response.status_code}")
expect(response["Location"] == "/", f"promotion went to {response['Location']}")
user = User.objects.get(pk=pk)
expect(user.username == "ada" and not Guest.objects.filter(pk=pk).exists(), "not promoted")
kept = client.get("/cart/add/8/").json()
expect(kept == {"pk": pk, "cart": [7, 8]}, f"the account lost the guest's cart: {kept}")
print("flow ok")
