"""A small shop showing guest_auth: browse, fill a cart as a guest, sign up, keep the cart.

Run it from the repository root:

    python manage.py migrate
    python manage.py runserver
"""
