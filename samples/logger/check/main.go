// Command check verifies the logger sample's output file: every line the application logged
// (ids 0 to -lines - 1) is there, intact, and in order, except for the repeats that a sink
// restart is allowed: after each kill, the batch the sink was writing may be written again,
// so the ids go back by at most -max-batch lines, at most once per kill.
//
//	check -file out.log -lines 200000 -kills 3 -max-batch 64
//
// It prints what it found and exits 1 if a line is missing, torn or unknown, if the ids jump
// forward, or if the repeats exceed what the kills allow.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/hftipc/hftipc/samples/logger/internal/logline"
)

func main() {
	file := flag.String("file", "", "the sink's output file")
	lines := flag.Uint64("lines", 0, "lines the application logged")
	kills := flag.Int("kills", 0, "times the sink was killed (kill -9) during the run")
	maxBatch := flag.Uint64("max-batch", 0, "most lines in one batch (the application's max_batch)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("check: ")
	if *file == "" || *lines == 0 {
		log.Fatal("usage: check -file FILE -lines N [-kills N] [-max-batch N]")
	}
	f, err := os.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	seen := make([]uint32, *lines)
	var total, corrupt, jumps, rewinds, longestRewind uint64
	var prev int64 = -1
	var want []byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		b := sc.Bytes()
		total++
		sp := bytes.IndexByte(b, ' ')
		id, err := strconv.ParseUint(string(b[:max(sp, 0)]), 10, 64)
		if sp <= 0 || err != nil || id >= *lines {
			corrupt++
			continue
		}
		want = logline.Append(want[:0], id)
		if !bytes.Equal(b, want) {
			corrupt++
			continue
		}
		seen[id]++
		switch {
		case int64(id) == prev+1:
		case int64(id) <= prev: // a batch written again after a restart
			rewinds++
			longestRewind = max(longestRewind, uint64(prev-int64(id)+1))
		default:
			jumps++
		}
		prev = int64(id)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	var missing, dups uint64
	firstMissing := int64(-1)
	for id, n := range seen {
		if n == 0 {
			missing++
			if firstMissing < 0 {
				firstMissing = int64(id)
			}
		} else {
			dups += uint64(n - 1)
		}
	}
	fmt.Printf("check: %d lines in the file for %d logged: %d missing, %d written twice (in %d repeated runs, the longest %d lines), %d torn or unknown, %d forward jumps; %d kills of the sink\n",
		total, *lines, missing, dups, rewinds, longestRewind, corrupt, jumps, *kills)
	bad := false
	if missing != 0 {
		fmt.Printf("check: FAILED: %d logged lines are missing (the first: %d)\n", missing, firstMissing)
		bad = true
	}
	if corrupt != 0 || jumps != 0 {
		fmt.Printf("check: FAILED: %d torn or unknown lines, %d forward jumps\n", corrupt, jumps)
		bad = true
	}
	if rewinds > uint64(*kills) || longestRewind > *maxBatch || dups > uint64(*kills)*(*maxBatch) {
		fmt.Printf("check: FAILED: repeats beyond one batch (at most %d lines) per kill (%d kills)\n", *maxBatch, *kills)
		bad = true
	}
	if bad {
		os.Exit(1)
	}
	fmt.Println("check: ok: no logged line lost; repeats only of the batch in flight at a kill")
}
