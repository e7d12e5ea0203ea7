package opam

import "strings"

// Field returns the value of the first top-level field with this name.
func (f *File) Field(name string) (Value, bool) {
	if f == nil {
		return nil, false
	}
	for _, it := range f.Items {
		if fl, ok := it.(*Field); ok && fl.Name == name {
			return fl.Value, true
		}
	}
	return nil, false
}

// Section returns the first top-level section of this kind.
func (f *File) Section(kind string) (*Section, bool) {
	if f == nil {
		return nil, false
	}
	for _, it := range f.Items {
		if s, ok := it.(*Section); ok && s.Kind == kind {
			return s, true
		}
	}
	return nil, false
}

// String returns a field whose value is a string.
func (f *File) String(name string) (string, bool) {
	v, ok := f.Field(name)
	if !ok {
		return "", false
	}
	s, ok := v.(String)
	return string(s), ok
}

// Synopsis is the one-line `synopsis`, trimmed as opam trims it; "" if absent.
func (f *File) Synopsis() string {
	s, _ := f.String("synopsis")
	return strings.Trim(s, " \t\r\n")
}

// Description is the `description` body, trimmed; "" if absent.
func (f *File) Description() string {
	s, _ := f.String("description")
	return strings.Trim(s, " \t\r\n")
}

// Depends lists the package names in `depends`, in order and without
// repetition. Names are the strings in package position of the formula:
// list elements, operands of `&`/`|`, group members and option subjects;
// strings inside version constraints and filters are versions, not names.
func (f *File) Depends() []string {
	v, ok := f.Field("depends")
	if !ok {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	var walk func(Value)
	walk = func(v Value) {
		switch v := v.(type) {
		case String:
			if !seen[string(v)] {
				seen[string(v)] = true
				names = append(names, string(v))
			}
		case List:
			for _, e := range v {
				walk(e)
			}
		case Group:
			for _, e := range v {
				walk(e)
			}
		case *Logop:
			walk(v.Left)
			walk(v.Right)
		case *Option:
			walk(v.Value)
		}
	}
	walk(v)
	return names
}

// URL reads the `url { src: ... checksum: ... }` section. src falls back to
// the old `archive` field; checksum may be one string or a list.
func (f *File) URL() (src string, checksums []string, ok bool) {
	s, found := f.Section("url")
	if !found {
		return "", nil, false
	}
	sec := &File{Items: s.Items}
	src, ok = sec.String("src")
	if !ok {
		src, ok = sec.String("archive")
	}
	if v, found := sec.Field("checksum"); found {
		checksums = stringsOf(v)
	}
	return src, checksums, ok
}

// stringsOf returns the strings of a value that is a string or a list of
// strings (opam prints one-element lists without brackets).
func stringsOf(v Value) []string {
	switch v := v.(type) {
	case String:
		return []string{string(v)}
	case List:
		var out []string
		for _, e := range v {
			if s, ok := e.(String); ok {
				out = append(out, string(s))
			}
		}
		return out
	}
	return nil
}

// Extension returns an `x-*` extension field; other names are not extensions.
func (f *File) Extension(name string) (Value, bool) {
	if !strings.HasPrefix(name, "x-") {
		return nil, false
	}
	return f.Field(name)
}

// HasExtension reports whether the extension field is present, such as
// `x-mirage-opam-lock-location`, which mirage ≥ 4.2 writes into unikernels.
func (f *File) HasExtension(name string) bool {
	_, ok := f.Extension(name)
	return ok
}
