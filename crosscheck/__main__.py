from crosscheck.cli import console

console()
