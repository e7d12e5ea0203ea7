package views

// DiffoscopePage is the Body of "diffoscope" (GET
// /compare/:left/:right/diffoscope): the state of the comparison of two
// main binaries, then the report.
type DiffoscopePage struct {
	Left, Right       CompareBuild
	LeftSHA, RightSHA string
	CompareURL        string // the comparison of the inputs
	URL               string // this page; htmx polls it for "diffoscope_status"
	ReportURL         string // set when the report is there
	State             string // app/diffoscope.State
	Seconds           int
	Reason            string
	Polling           bool // the state still changes by itself
}
