package fakenova

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Python 3.11's re.compile on each pattern, as python3 printed it.
var pythonRegexVerdicts = map[string]bool{ // pattern -> refused
	"(": true, ")": true, "a)": true, "(a": true, "((a)": true, "(a))": true, ")(": true,
	"[a": true, "[]": true, "[a\\]": true, "[\\": true, "[\\A]": true, "[\\8]": true,
	"a\\": true, "\\": true, "\\q": true, "\\pL": true, "\\z": true, "\\E": true, "\\Q": true,
	"*a": true, "+": true, "?": true, "a|*": true, "(*)": true, "(?:*)": true, "{2}": true,
	"^*": true, "$*": true, "\\b*": true, "\\A*": true, "\\B*": true, "a|^*": true, "(?i)*": true,
	"a**": true, "a?*": true, "a*??": true, "a*?+": true, "a{2}{3}": true, "a{2}*": true,
	"a{2,1}": true, "a{03,2}": true, "(?#a": true,

	"[]a]": false, "[^]a]": false, "[[:alpha:]": false, "[a\\]]": false, "[(]": false, "[\\[]": false,
	"[\\b]": false, "[a-]": false, "\\(": false, "\\Z": false, "\\08": false, "(?#(a)": false, "(?#\\))": false, "(?#\\)": true,
	"(?=a)": false, "(?=a)*": false, "(?<=a)b": false, "(?P<n>a)(?P=n)": false, "(?i)a*": false,
	"a*+": false, "a++": false, "a{2}?": false, "a{2}+": false, "a{,3}": false, "a{,}": false,
	"a{}": false, "a{x}": false, "a{2,": false, "{": false, "a{1001}": false, "x|": false,
	"(|)": false, "()": false, "(?:)": false, "(?i:a)*": false, "(?x)[ ]": false, "^vm-1$": false,
	"vm-00001[0-9]": false, "é\\é": false,
}

func TestPythonRegexInvalid(t *testing.T) {
	for pattern, refused := range pythonRegexVerdicts {
		assert.Equal(t, refused, pythonRegexInvalid(pattern), "%q", pattern)
	}
}

// TestPythonRegexInvalidAgreesWithPython draws patterns from the bytes
// that make Python's regex syntax and asks python3 (when it is there)
// about each: a pattern the fake refuses must be one Python refuses (a
// false 400 would break a client), and most that Python refuses are
// caught.
func TestPythonRegexInvalidAgreesWithPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	const alphabet = `()[]{}\^$*+?|,:=!<>#P-aizAZbBdx019 é`
	rng := rand.New(rand.NewPCG(1, 2))
	var patterns []string
	for range 50000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			r := []rune(alphabet)
			b.WriteRune(r[rng.IntN(len(r))])
		}
		patterns = append(patterns, b.String())
	}
	cmd := exec.Command(python, "-c", `
import json, re, sys, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    try:
        re.compile(json.loads(line)); print(0)
    except re.error:
        print(1)
    except Exception:
        print(2)
`)
	var in strings.Builder
	for _, p := range patterns {
		line, _ := json.Marshal(p)
		in.Write(line)
		in.WriteByte('\n')
	}
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	require.NoError(t, err)
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	refused, caught := 0, 0
	for i := 0; sc.Scan(); i++ {
		pyRefuses := sc.Text() == "1"
		ours := pythonRegexInvalid(patterns[i])
		if ours {
			require.True(t, pyRefuses, "%q: the fake refuses a pattern Python compiles (python: %s)", patterns[i], sc.Text())
		}
		if pyRefuses {
			refused++
			if ours {
				caught++
			}
		}
	}
	t.Logf("of %d patterns Python refuses %d; the fake catches %d (%.1f%%), and refuses none Python takes",
		len(patterns), refused, caught, 100*float64(caught)/float64(max(refused, 1)))
	assert.Greater(t, float64(caught), 0.8*float64(refused), "most of Python's refusals are caught")
}
