// A consumer that exits with status 1 at once (the tests' /bin/false).
int main() { return 1; }
