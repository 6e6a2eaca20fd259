"""The forms of the key actions that more than one surface asks for (the console and the
admin both create keys): fields, choices and what a browser can get wrong, once. The rules
live in the domain actions (apikeys.services.create_key, billing.budget_settings)."""
