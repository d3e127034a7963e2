import { homePage } from './homePage.js';
import { linkPage } from './link/linkPage.js';

/** The app's one entry: `/l/<token>` is the link page, anything else the home page. */
const root = document.getElementById('app');
if (root) {
  if (location.pathname.startsWith('/l/')) linkPage(root, location.href);
  else homePage(root);
}
