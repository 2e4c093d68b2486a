package readme

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// moduleRoot walks up from the test's directory to the folder holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found above the test directory")
		dir = parent
	}
}

// goSnippets returns the ```go blocks of a Markdown file.
func goSnippets(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var blocks [][]string
	var cur []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, line)
		}
	}
	require.NoError(t, sc.Err())
	require.False(t, in, "unterminated ```go block in %s", path)
	return blocks
}

// exampleBodies returns the source text of every Example function in the
// module's _test.go files, each as trimmed non-empty lines.
func exampleBodies(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fn.Name.Name, "Example") || fn.Body == nil {
				continue
			}
			body := string(src[fset.Position(fn.Body.Pos()).Offset:fset.Position(fn.Body.End()).Offset])
			rel, _ := filepath.Rel(root, path)
			out[rel+":"+fn.Name.Name] = normalized(strings.Split(body, "\n"))
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func normalized(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want appears as a contiguous run in have.
func containsRun(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for i := 0; i+len(want) <= len(have); i++ {
		match := true
		for j := range want {
			if have[i+j] != want[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func TestReadmeSnippetsAreExamples(t *testing.T) {
	root := moduleRoot(t)
	snippets := goSnippets(t, filepath.Join(root, "README.md"))
	require.NotEmpty(t, snippets, "the README has no ```go snippets")
	examples := exampleBodies(t, root)
	for i, s := range snippets {
		want := normalized(s)
		found := ""
		for name, body := range examples {
			if containsRun(body, want) {
				found = name
				break
			}
		}
		require.NotEmpty(t, found, "README snippet %d is not the body of any Example function; keep them in step:\n%s", i+1, strings.Join(s, "\n"))
	}
}

func TestContainsRun(t *testing.T) {
	require.True(t, containsRun([]string{"a", "b", "c"}, []string{"b", "c"}))
	require.False(t, containsRun([]string{"a", "b", "c"}, []string{"a", "c"}))
	require.False(t, containsRun([]string{"a"}, []string{"a", "b"}))
}
