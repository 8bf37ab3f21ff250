"""An app that declares a purpose-bound cookie, installed only by the cookie guard's tests."""
