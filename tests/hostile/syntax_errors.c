/* Hostile input: a syntax error in every place a parser can meet one. */
int ok_before(int x) {
    return x + 1;
}

int missing_semicolon(int x) {
    int y = x
    return y;
}

int unbalanced(int x) {
    return (x + (x * 2);
}

int stray_operator(int x) {
    return x +* / 2;
}

int missing_brace(int x) {
    if (x > 0) {
        return 1;
    return 0;

int keyword_as_name(int int) {
    return int;
}

int unclosed_string(int x) {
    char *s = "never closed;
    return x;
}

int unclosed_char(int x) {
    return 'a;
}

int half_def(
)))
]]]
}}}

int ok_middle(int x) {
    return x / 2;
}

int bad_declarator(int x)) {
    return x;
}

int (*)(int) function_pointer_return(int x) {
    return 0;
}

int labels_without_statement(int x) {
    goto end;
end:
}

int bad_for(int x) {
    for (int i = 0; i < x) {
        x--;
    }
    return x;
}

#if 1
int unterminated_if(int x) {
    return x;
}

#define BROKEN(x (x + 1)
int uses_broken_macro(int x) {
    return BROKEN(x);
}

int unicode_op(int x) {
    return x × 2;
}

int ok_last(int x, int y) {
    return x / y;
}
