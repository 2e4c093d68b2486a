// Package readme holds the test that keeps the README's Go snippets true:
// every ```go block in README.md must appear, line for line, inside an
// Example function of the repository, so the snippets are compiled and their
// output checked by go test like any other example.
package readme
