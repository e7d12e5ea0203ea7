b
c
a
b
d
c
b
a
