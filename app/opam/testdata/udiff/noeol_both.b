a
b
d