// Package orchestrator holds the record format shared by the sample's Go programs; the Java
// parser (java/Parser.java) writes the same bytes.
//
// A parser sends data records and then one end record, all little-endian:
//
//	data: 'D', uint64 sequence number (0, 1, 2, ...), then the parsed text
//	end:  'E', uint64 number of data records sent
package orchestrator

import "encoding/binary"

const (
	KindData = 'D'
	KindEnd  = 'E'
	// HeaderLen is the kind byte plus the sequence number or count.
	HeaderLen = 9
)

// PutHeader writes a record header into b (at least HeaderLen bytes) and returns HeaderLen.
func PutHeader(b []byte, kind byte, n uint64) int {
	b[0] = kind
	binary.LittleEndian.PutUint64(b[1:HeaderLen], n)
	return HeaderLen
}

// Header decodes a record header; ok is false for a record too short to hold one.
func Header(b []byte) (kind byte, n uint64, ok bool) {
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	return b[0], binary.LittleEndian.Uint64(b[1:HeaderLen]), true
}
