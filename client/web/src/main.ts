import { accountPage } from './account/accountPage.js';
import { linkPage } from './link/linkPage.js';

/** The app's one entry: `/l/<token>` is the link page, anything else sign-in and My files. */
const root = document.getElementById('app');
if (root) {
  const route = () => (location.pathname.startsWith('/l/') ? linkPage(root, location.href) : accountPage(root));
  route();
  // A link pasted over this one in the address bar changes only the fragment: no reload happens.
  window.addEventListener('hashchange', route);
}
