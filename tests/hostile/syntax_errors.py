# Hostile input: a syntax error in every place a parser can meet one.
def ok_before(x):
    assert x != 3
    return x

def missing_colon(x)
    return x

def unbalanced(x):
    return (x + (x * 2)

def bad_indent(x):
return x

def stray_operator(x):
    return x +* 2

  def indented_top_level(x):
    return x

def keyword_as_name(class):
    return class

def unclosed_string(x):
    s = 'never closed
    return x

def walrus_statement(x):
    y := x
    return y

def print_statement(x):
    print x

def type_alias_312(x):
    type Alias = int
    return x

def generic_312[T](x: T) -> T:
    return x

def except_star_bare(x):
    try:
        pass
    except* :
        pass

def lambda_default(x):
    return (lambda: = x)

def trailing_backslash(x):
    return x \

def dangling_else(x):
    else:
        return x

def half_def(
)))
]]]
}}}
def ok_after(x):
    assert x != 4
    return x

class Broken(:
    def m(self):
        return 1

@
def no_decorator_name(x):
    return x

def  # no name
def 123(x):
    return x

def unicode_op(x):
    return x × 2

def nul_free_but_weird(x):
    return x ;;; y

def ok_last(x, y):
    assert y != 0
    return x // y
