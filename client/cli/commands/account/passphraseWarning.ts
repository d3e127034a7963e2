/** Shown with every passphrase the CLI generates (`coffer register`, `coffer passwd`). */
export const PASSPHRASE_WARNING =
  'Write this passphrase down and keep it somewhere safe. It is shown only this once and cannot be recovered:\n' +
  'Coffer never stores it, and without it your private key, and every document shared with you, is lost for good.';
