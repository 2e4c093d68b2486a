package synapse

import "strings"

// DecodeHeaderList is DecodeHeaders for headers given as the ordered list of
// name/value pairs they arrived in, for servers and clients that read them
// off the wire without building an http.Header (a map with a slice per
// name, which is most of the garbage of a small request).
//
// The meaning is net/http's: names match without regard to case, and of
// several headers whose names differ only in case, or repeat, the first one
// counts and the others are ignored, even when malformed, as net/http keeps
// every spelling under one canonical key and DecodeHeaders reads its first
// value. Of several malformed headers the one met first in fields is
// reported. Errors are DecodeHeaders' (*HeaderError, ErrNotSynapse). The
// synapse keeps the value strings, never the slice.
func DecodeHeaderList(fields []HeaderField, s Synapse) error {
	b, v, err := synapseValue(s)
	if err != nil {
		return err
	}
	var d headerDecoder
	if err := applyList(fields, func(lk, value string) error { return d.apply(lk, value, b, v) }); err != nil {
		return err
	}
	b.Name = Name(s)
	return nil
}

// DecodeTerminalHeaderList is DecodeTerminalHeaders for headers given as an
// ordered list, with DecodeHeaderList's rules for repeated names.
func DecodeTerminalHeaderList(fields []HeaderField, s Synapse) error {
	b, _, err := synapseValue(s)
	if err != nil {
		return err
	}
	var d headerDecoder
	return applyList(fields, func(lk, value string) error { return d.applyTerminal(lk, value, b) })
}

// applyList calls apply with each field's lower-case name and value, last
// to first, so that the first of several spellings is applied last and
// stays (every field assignment overwrites). It returns the error of the
// first malformed field in fields order, ignoring a field whose name came
// before: that one does not count.
func applyList(fields []HeaderField, apply func(lk, value string) error) error {
	var first error
	for i := len(fields) - 1; i >= 0; i-- {
		lk := listKey(fields[i].Key)
		if err := apply(lk, fields[i].Value); err != nil && !seenBefore(fields, i, lk) {
			first = err
		}
	}
	return first
}

// listKey lower-cases a header name, without allocating in the usual case
// of a name that is lower case already (Python and this package send them
// so, and the axon's server keeps them as sent).
func listKey(k string) string {
	if isLowerASCII(k) {
		return k
	}
	return lowerKey(k)
}

// seenBefore reports whether a header before index i has the lower-case
// name lk; only called for a malformed value, which then does not count.
func seenBefore(fields []HeaderField, i int, lk string) bool {
	for _, f := range fields[:i] {
		if len(f.Key) == len(lk) && strings.EqualFold(f.Key, lk) {
			return true
		}
	}
	return false
}
