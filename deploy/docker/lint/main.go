// Command lint checks the Dockerfiles in deploy/docker without a container engine, for machines
// where none can run (deploy/docker/images.sh lint). It is built against Debian's
// golang-github-openshift-imagebuilder-dev (GOPATH mode, GO111MODULE=off): the Dockerfile parser
// of Docker itself, and imagebuilder's evaluator, which runs every instruction through its
// dispatcher (arguments, flags, ARG expansion, stage references) with an executor that performs
// nothing but the checks below.
//
//	lint CONTEXT_DIR DOCKERFILE...
//
// Checks, per Dockerfile:
//   - it parses, and every instruction is a known one with valid arguments;
//   - it is multi-stage; every COPY --from names an earlier stage;
//   - every COPY from the context names files that exist in CONTEXT_DIR and that .dockerignore
//     does not exclude;
//   - FROM images resolve (with the ARG defaults) to a name with an explicit tag, not latest;
//   - apt-get install uses --no-install-recommends and removes /var/lib/apt/lists in the same RUN;
//   - the last stage has no RUN (it only receives the runtime files), a non-root USER, and an
//     ENTRYPOINT in JSON form.
//
// It cannot check what only a build shows: that the base images exist and the RUN commands work.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/docker/pkg/fileutils"
	docker "github.com/fsouza/go-dockerclient"
	"github.com/openshift/imagebuilder"
)

type checker struct {
	context  string
	ignore   *fileutils.PatternMatcher
	stages   map[string]bool // names and indexes of the stages seen so far
	runs     []string
	copies   int
	problems []string
}

func (c *checker) fail(format string, args ...interface{}) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *checker) Preserve(string) error            { return nil }
func (c *checker) EnsureContainerPath(string) error { return nil }
func (c *checker) EnsureContainerPathAs(string, string, *os.FileMode) error {
	return nil
}

func (c *checker) UnrecognizedInstruction(step *imagebuilder.Step) error {
	return fmt.Errorf("unknown instruction %q", step.Original)
}

func (c *checker) Copy(_ []string, copies ...imagebuilder.Copy) error {
	for _, cp := range copies {
		c.copies++
		if cp.From != "" {
			if !c.stages[cp.From] {
				c.fail("COPY --from=%s: no earlier stage of that name", cp.From)
			}
			continue
		}
		for _, src := range cp.Src {
			rel := filepath.Clean(strings.TrimPrefix(src, "/"))
			matches, _ := filepath.Glob(filepath.Join(c.context, rel))
			if len(matches) == 0 {
				c.fail("COPY %s: not in the build context %s", src, c.context)
				continue
			}
			if c.ignore != nil {
				if excluded, _ := c.ignore.Matches(rel); excluded {
					c.fail("COPY %s: excluded by .dockerignore", src)
				}
			}
		}
	}
	return nil
}

func (c *checker) Run(run imagebuilder.Run, _ docker.Config) error {
	cmd := strings.Join(run.Args, " ")
	c.runs = append(c.runs, cmd)
	if strings.Contains(cmd, "apt-get install") {
		if !strings.Contains(cmd, "--no-install-recommends") {
			c.fail("RUN %q: apt-get install without --no-install-recommends", cmd)
		}
		if !strings.Contains(cmd, "rm -rf /var/lib/apt/lists") {
			c.fail("RUN %q: apt lists not removed in the same layer", cmd)
		}
	}
	return nil
}

func lint(contextDir, path string) (string, []string, error) {
	node, err := imagebuilder.ParseFile(path)
	if err != nil {
		return "", nil, err
	}
	c := &checker{context: contextDir, stages: map[string]bool{}}
	if patterns, err := imagebuilder.ParseDockerignore(contextDir); err == nil && len(patterns) > 0 {
		if c.ignore, err = fileutils.NewPatternMatcher(patterns); err != nil {
			return "", nil, fmt.Errorf(".dockerignore: %v", err)
		}
	}
	stages, err := imagebuilder.NewStages(node, imagebuilder.NewBuilder(nil))
	if err != nil {
		return "", nil, err
	}
	if len(stages) < 2 {
		c.fail("one stage only: build in one stage, copy the runtime files into a slim one")
	}
	var bases []string
	for i, stage := range stages {
		b := stage.Builder
		base, err := b.From(stage.Node)
		if err != nil {
			return "", nil, fmt.Errorf("stage %d: %v", i, err)
		}
		bases = append(bases, base)
		name := base
		if j := strings.LastIndex(name, "/"); j >= 0 {
			name = name[j+1:]
		}
		if !strings.Contains(name, ":") || strings.HasSuffix(name, ":latest") {
			c.fail("stage %d: FROM %s has no explicit tag", i, base)
		}
		c.runs = nil
		for _, child := range stage.Node.Children {
			step := b.Step()
			if err := step.Resolve(child); err != nil {
				return "", nil, fmt.Errorf("line %d: %v", child.StartLine, err)
			}
			if err := b.Run(step, c, false); err != nil {
				return "", nil, fmt.Errorf("line %d: %v", child.StartLine, err)
			}
			if (step.Command == "entrypoint" || step.Command == "cmd") && !child.Attributes["json"] {
				c.fail("line %d: %s in shell form; use the JSON form", child.StartLine,
					strings.ToUpper(step.Command))
			}
		}
		if i == len(stages)-1 {
			if len(c.runs) > 0 {
				c.fail("the last stage runs %q: it should only receive the runtime files", c.runs)
			}
			user := b.RunConfig.User
			if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") {
				c.fail("the last stage runs as root (USER %q)", user)
			}
			if len(b.RunConfig.Entrypoint) == 0 {
				c.fail("the last stage has no ENTRYPOINT")
			}
		}
		c.stages[stage.Name] = true
		c.stages[fmt.Sprint(i)] = true
	}
	last := stages[len(stages)-1].Builder.RunConfig
	summary := fmt.Sprintf("%d stages (%s), runs as %s, entrypoint %s, %d copies checked",
		len(stages), strings.Join(bases, " -> "), last.User, strings.Join(last.Entrypoint, " "), c.copies)
	return summary, c.problems, nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: lint CONTEXT_DIR DOCKERFILE...")
		os.Exit(2)
	}
	bad := 0
	for _, path := range os.Args[2:] {
		summary, problems, err := lint(os.Args[1], path)
		switch {
		case err != nil:
			fmt.Printf("%s: %v\n", path, err)
			bad++
		case len(problems) > 0:
			for _, p := range problems {
				fmt.Printf("%s: %s\n", path, p)
			}
			bad++
		default:
			fmt.Printf("%s: ok: %s\n", path, summary)
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}
