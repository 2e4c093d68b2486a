package wallet

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sp_core's SURI grammar, verbatim. Go's regexp has Perl (leftmost-first)
// submatch semantics like Rust's regex crate, and for ASCII input \w, \d and
// "." mean the same in both, so on ASCII strings this is an executable
// reference for the hand-written parser.
var (
	spCoreSURI     = regexp.MustCompile(`^(?P<phrase>[\d\w ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$`)
	spCoreJunction = regexp.MustCompile(`/(/?[^/]+)`)
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkAgainstRegex compares parseSURI with the sp_core regex on s.
func checkAgainstRegex(t *testing.T, s string) {
	t.Helper()
	u, err := parseSURI(s)
	m := spCoreSURI.FindStringSubmatchIndex(s)
	if m == nil {
		require.Error(t, err, "regex rejects %q", s)
		return
	}
	require.NoError(t, err, "regex accepts %q", s)
	phrase := DevPhrase
	if m[2] >= 0 {
		phrase = s[m[2]:m[3]]
	}
	require.Equal(t, phrase, u.phrase)
	var want []junction
	for _, j := range spCoreJunction.FindAllStringSubmatch(s[m[4]:m[5]], -1) {
		code, hard := strings.CutPrefix(j[1], "/")
		want = append(want, newJunction(code, hard))
	}
	require.Equal(t, want, u.junctions)
	require.Equal(t, m[10] >= 0, u.hasPassword)
	if m[10] >= 0 {
		require.Equal(t, s[m[10]:m[11]], u.password)
	}
}

func TestParseSURIMatchesSpCoreRegex(t *testing.T) {
	for _, s := range []string{
		"", "//Alice", "/Alice", "//Alice//stash", "//Alice///", "//Alice///pw", "///pw", "////pw",
		"//a////b", "//a///b/c", "phrase words//x/y///p/w", "0xabc//1", "a b  c", " //x", "//",
		"/", "a/", "a//", "//a/", "a-b", "a//b-c", "x///a\nb", "x//a\nb", "_//_", "0x",
		"bottom drive obey lake curtain smoke basket hold race lonely fit walk///",
	} {
		checkAgainstRegex(t, s)
	}
}

func FuzzParseSURIGrammar(f *testing.F) {
	for _, s := range []string{"//Alice", "a b//c/d///e", "////", "x///a\nb", "0x00//1/+2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isASCII(s) || len(s) > maxSURILen {
			return // the regex is a reference only for ASCII (see above)
		}
		checkAgainstRegex(t, s)
	})
}
