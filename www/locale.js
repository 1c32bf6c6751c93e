// Imported first by main.js, before uPlot, which builds an Intl.NumberFormat from
// navigator.language as it loads. WebKitGTK under a C.UTF-8 locale (common in containers) reports
// the language "C", which Intl refuses with a RangeError: uPlot's module would throw and the page
// would stay at "Loading the model…". Such a browser gets "en-US" instead.

try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}
