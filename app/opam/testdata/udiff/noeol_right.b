a
b
x