// Package logline is the logger sample's line format, shared by the application that logs the
// lines and the checker that reads them back from the sink's file.
package logline

import "strconv"

// Line returns line id without its newline: "<id> level=info msg=... fill=<letters>", 37 to
// 97 bytes long depending on the id, so that batches hold different numbers of lines.
func Line(id uint64) string {
	return string(Append(make([]byte, 0, 128), id))
}

// Append appends line id (without its newline) to b.
func Append(b []byte, id uint64) []byte {
	b = strconv.AppendUint(b, id, 10)
	b = append(b, ` level=info msg="order accepted" fill=`...)
	for i := uint64(0); i < id%61; i++ {
		b = append(b, byte('a'+(id+i)%26))
	}
	return b
}
