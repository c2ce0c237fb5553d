// Stylesheets are side-effect imports that Vite extracts into dist/style.css.
declare module '*.css'
