"""What the right numbers are: the named scenarios (``scenarios``) and their pinned values
(``pins.json``, read and rewritten by ``pinning``)."""

# How closely a recomputed value must reproduce its pin: a property of the pinned values, so it
# lives with them (here, where importing it costs nothing); crosscheck's one tolerance table
# lists it as kind "pin".
PIN_TOLERANCE = 1e-10
