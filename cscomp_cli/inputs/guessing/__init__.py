"""`cscomp init`'s guessing: which raw export is which table, its conventions, and the data map written
with a comment on every guess and the choices left to a person."""
