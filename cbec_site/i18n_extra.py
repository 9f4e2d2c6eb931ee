"""Strings Django, its admin or django-countries show on our pages but leave untranslated in
their own Simplified Chinese catalogues. Marking them here keeps them in ours when
``make messages`` (makemessages --no-obsolete) runs; nothing imports this module."""

from django.utils.translation import gettext_noop, ngettext_lazy

STRINGS = [
    gettext_noop("- Select an option -"),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop(", "),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Logout"),
    gettext_noop("Democratic Republic of the Congo"),
    gettext_noop("Micronesia"),
    gettext_noop("South Georgia"),
    gettext_noop("Palestine"),
    gettext_noop("Saint Helena"),
    gettext_noop("Vatican City"),
    gettext_noop("Tanzania, the United Republic of"),
    gettext_noop("Bahamas (The)"),
    gettext_noop("Eswatini"),
    gettext_noop("Falkland Islands (Malvinas)"),
    gettext_noop("Naoero"),
    gettext_noop("Netherlands (Kingdom of the)"),
    gettext_noop("North Macedonia"),
    gettext_noop("Türkiye"),
]
PLURALS = [
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", 1),
]
