"""A plugin with data: a piccolo app named ``gamma`` holding one member-scoped table
(``gamma_note``) and one shared table (``gamma_label``, not member data)."""
