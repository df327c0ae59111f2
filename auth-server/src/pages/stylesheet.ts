/** The account pages' one stylesheet: readable on a phone first, wider screens get a column. */
export const STYLESHEET = `*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1b1b;background:#f6f7f9}
body{margin:0}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header.site{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;padding:.75rem 1rem;background:#1d3557;color:#fff}
header.site a{color:#fff}
.brand{font-weight:700;text-decoration:none}
nav ul{list-style:none;display:flex;gap:1rem;margin:0;padding:0}
main{max-width:32rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.field{margin-bottom:1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{width:100%;font:inherit;padding:.6rem;border:2px solid #5a5a5a;border-radius:4px;background:#fff}
input:focus,button:focus,a:focus{outline:3px solid #f4a100;outline-offset:2px}
input[aria-invalid=true]{border-color:#b00020}
.hint{margin:0 0 .25rem;color:#444;font-size:.9rem}
.field-error{margin:0 0 .25rem;color:#b00020;font-weight:600}
.error-summary{border:3px solid #b00020;padding:.5rem 1rem;margin-bottom:1rem;background:#fff}
.notice{border-left:4px solid #1d6f42;padding:.5rem 1rem;background:#fff}
button{font:inherit;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #1d3557;cursor:pointer;margin:.25rem 0}
button.primary{background:#1d3557;color:#fff}
button.secondary{background:#fff;color:#1d3557}
form{margin-bottom:1rem}
.links{padding-left:1.2rem}
dl.profile{display:grid;grid-template-columns:1fr;gap:.1rem;margin:0}
dl.profile dt{font-weight:600;margin-top:.5rem}
dl.profile dd{margin:0;overflow-wrap:anywhere}
.qr{margin:1rem 0;text-align:center}
.qr img{background:#fff;max-width:100%;height:auto}
.secret{overflow-wrap:anywhere}
pre.answer{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #ccc;padding:.5rem;font-size:.85rem}
@media (min-width:40rem){dl.profile{grid-template-columns:10rem 1fr}dl.profile dt{margin-top:0}}
`;
