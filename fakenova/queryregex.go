package fakenova

import "strings"

// Nova's query schemas give the servers list's name filter the format
// "regex" (parameter_types.common_query_regex_param), which its
// FormatChecker tests with Python's re.compile: a pattern Python refuses
// is a 400 ("Invalid input for query parameters name. Value: X. 'X' is
// not a 'regex'"), before the database sees it. pythonRegexInvalid reads
// a pattern as Python 3.11's sre_parse does, far enough to find the
// errors that a user can make by accident: an unbalanced parenthesis, an
// unterminated set or comment, an escape Python does not know, a
// repetition of nothing or of a repetition, a trailing backslash, a
// counted repetition whose minimum exceeds its maximum. It never reports
// a pattern that Python compiles (TestPythonRegexInvalidAgreesWithPython
// checks that against python3 when it is there); the rarer errors it does
// not look for (group references, character ranges, group names) let the
// pattern through, to match nothing, as before.

// pythonRegexInvalid reports whether Python's re.compile refuses pattern.
func pythonRegexInvalid(pattern string) bool {
	if strings.Contains(pattern, "(?") && verboseFlag(pattern) {
		return false // (?x) changes what spaces and # mean: not read here
	}
	p := regexScan{s: pattern}
	return p.invalid()
}

// verboseFlag reports whether pattern sets Python's VERBOSE flag in a
// flags group, (?x) or (?ix:...) and the like.
func verboseFlag(pattern string) bool {
	for rest := pattern; ; {
		i := strings.Index(rest, "(?")
		if i < 0 {
			return false
		}
		rest = rest[i+2:]
		for j := 0; j < len(rest) && strings.IndexByte("aiLmsux-", rest[j]) >= 0; j++ {
			if rest[j] == 'x' {
				return true
			}
		}
	}
}

// regexScan walks a pattern as sre_parse does.
type regexScan struct {
	s   string
	pos int
}

// What may follow, for the repetition operators.
const (
	repeatNothing = iota // start, |, ( or an anchor: a repetition is "nothing to repeat"
	repeatItem           // an item: it may be repeated
	repeatDone           // a repetition: only a ? or + modifier may follow
	repeatModded         // a repetition and its modifier: nothing more
)

func (p *regexScan) invalid() bool {
	depth, state := 0, repeatNothing
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch c {
		case '\\':
			if p.pos >= len(p.s) {
				return true // bad escape (end of pattern)
			}
			e := p.s[p.pos]
			p.pos++
			switch {
			case strings.IndexByte("AZbB", e) >= 0:
				state = repeatNothing // an anchor
				continue
			case isASCIILetter(e) && strings.IndexByte("afnrtvdDsSwWxuUN", e) < 0:
				return true // bad escape
			}
			state = repeatItem
		case '[':
			if p.badSet() {
				return true
			}
			state = repeatItem
		case '(':
			if strings.HasPrefix(p.s[p.pos:], "?#") {
				if !p.skipComment() {
					return true // missing ), unterminated comment
				}
				continue // a comment changes nothing
			}
			if p.flagsOnly() {
				state = repeatNothing
				continue
			}
			switch p.extension() {
			case extensionUnknown:
				return false // not read here: let it through
			case extensionBackref:
				state = repeatItem
				continue
			}
			depth++
			state = repeatNothing
		case ')':
			if depth == 0 {
				return true // unbalanced parenthesis
			}
			depth--
			state = repeatItem
		case '|':
			state = repeatNothing
		case '^', '$':
			state = repeatNothing
		case '*', '+', '?':
			if next, bad := repeated(state, c); bad {
				return true
			} else {
				state = next
			}
		case '{':
			lo, hi, ok := p.count()
			if !ok {
				state = repeatItem // a literal {
				continue
			}
			if lo >= 0 && hi >= 0 && lo > hi {
				return true // min repeat greater than max repeat
			}
			if next, bad := repeated(state, '{'); bad {
				return true
			} else {
				state = next
			}
		default:
			state = repeatItem
		}
	}
	return depth > 0 // missing ), unterminated subpattern
}

// repeated is what follows a repetition operator op after state, or bad
// for "nothing to repeat" and "multiple repeat".
func repeated(state int, op byte) (next int, bad bool) {
	switch state {
	case repeatNothing:
		return 0, true
	case repeatItem:
		return repeatDone, false
	case repeatDone:
		if op == '?' || op == '+' { // lazy, or possessive (Python 3.11)
			return repeatModded, false
		}
	}
	return 0, true
}

// badSet reads a set after its [ and reports whether Python refuses it:
// unterminated, or with an escape it does not know.
func (p *regexScan) badSet() bool {
	if p.pos < len(p.s) && p.s[p.pos] == '^' {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++ // a ] first is a member
	}
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch c {
		case ']':
			return false
		case '\\':
			if p.pos >= len(p.s) {
				return true
			}
			e := p.s[p.pos]
			p.pos++
			if isASCIILetter(e) && strings.IndexByte("abfnrtvdDsSwWxuUN", e) < 0 {
				return true // bad escape, \A, \B and \Z among them
			}
			if e == '8' || e == '9' {
				return true
			}
		}
	}
	return true // unterminated character set
}

// skipComment reads a comment after its ( up to its ), a backslash and
// the character after it being one, as sre_parse reads them; false when
// the pattern ends first.
func (p *regexScan) skipComment() bool {
	for i := p.pos + 2; i < len(p.s); i++ {
		switch p.s[i] {
		case '\\':
			i++
		case ')':
			p.pos = i + 1
			return true
		}
	}
	return false
}

// flagsOnly reads a global flags group such as (?i) after its ( and
// reports whether it was one.
func (p *regexScan) flagsOnly() bool {
	rest := p.s[p.pos:]
	if !strings.HasPrefix(rest, "?") {
		return false
	}
	i := 1
	for i < len(rest) && strings.IndexByte("aiLmsu", rest[i]) >= 0 {
		i++
	}
	if i == 1 || i >= len(rest) || rest[i] != ')' {
		return false
	}
	p.pos += i + 1
	return true
}

// What a group's (? opens.
const (
	extensionGroup   = iota // a group, (? or not: its ) follows
	extensionBackref        // (?P=name), read whole
	extensionUnknown        // anything else: not read here
)

// extension reads what follows a group's ( : nothing for a plain group,
// else the ? and the extension's name, up to the group's body.
func (p *regexScan) extension() int {
	rest := p.s[p.pos:]
	if !strings.HasPrefix(rest, "?") {
		return extensionGroup
	}
	rest = rest[1:]
	for _, prefix := range []string{":", "=", "!", ">", "<=", "<!"} {
		if strings.HasPrefix(rest, prefix) {
			p.pos += 1 + len(prefix)
			return extensionGroup
		}
	}
	if name, ok := strings.CutPrefix(rest, "P<"); ok {
		end := strings.IndexByte(name, '>')
		if end < 0 {
			return extensionUnknown
		}
		p.pos += 3 + end + 1
		return extensionGroup
	}
	if name, ok := strings.CutPrefix(rest, "P="); ok {
		end := strings.IndexByte(name, ')')
		if end < 0 {
			return extensionUnknown
		}
		p.pos += 3 + end + 1
		return extensionBackref
	}
	// Scoped flags, (?i:...) or (?-i:...).
	i := 0
	for i < len(rest) && strings.IndexByte("aiLmsu-", rest[i]) >= 0 {
		i++
	}
	if i > 0 && i < len(rest) && rest[i] == ':' {
		p.pos += 1 + i + 1
		return extensionGroup
	}
	return extensionUnknown
}

// count reads a counted repetition after its { ({m}, {m,}, {,n}, {m,n},
// {,}), as sre_parse does: lo and hi are -1 when absent; ok false when
// what follows is no repetition (the { is a literal) and nothing is read.
func (p *regexScan) count() (lo, hi int, ok bool) {
	rest := p.s[p.pos:]
	end := strings.IndexByte(rest, '}')
	if end < 0 {
		return 0, 0, false
	}
	body := rest[:end]
	loText, hiText, comma := strings.Cut(body, ",")
	if !digits(loText) || !digits(hiText) || (!comma && loText == "") {
		return 0, 0, false
	}
	lo, hi = number(loText), number(hiText)
	if !comma {
		hi = lo
	}
	p.pos += end + 1
	return lo, hi, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// number is the value of a string of digits, -1 for none; large values
// saturate.
func number(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = min(n*10+int(s[i]-'0'), 1<<40)
	}
	return n
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
