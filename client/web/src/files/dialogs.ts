import { el } from '../dom.js';

/**
 * Modal dialogs on the native `<dialog>` (focus is kept inside and Escape closes it, with no
 * script of ours). Each resolves with the person's answer; closing is "no".
 */
function openDialog<T>(title: string, body: HTMLElement[], submitLabel: string, answer: (form: HTMLFormElement) => T, danger = false): Promise<T | undefined> {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const cancel = el('button', { type: 'button' }, 'Cancel');
  const form = el('form', { class: 'stack' }, ...body, el('p', { class: 'actions' }, el('button', { type: 'submit', class: danger ? 'primary danger' : 'primary' }, submitLabel), cancel));
  const dialog = el('dialog', { 'aria-labelledby': titleId }, el('h2', { id: titleId }, title), form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let result: T | undefined;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      result = answer(form);
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    dialog.showModal();
    // A destructive question starts on Cancel: Enter alone never deletes.
    if (danger) cancel.focus();
  });
}

/** "Delete X?": true only when the person presses the action. */
export async function confirmDialog(title: string, text: string, action: string): Promise<boolean> {
  return (await openDialog(title, [el('p', {}, text)], action, () => true, true)) === true;
}

/** One line of text (a folder name): undefined when cancelled or left empty. */
export async function askText(title: string, label: string, initial = ''): Promise<string | undefined> {
  const input = el('input', { id: 'dialog-text', type: 'text', required: true, maxlength: '255', autocomplete: 'off' });
  input.value = initial;
  const answer = await openDialog(title, [el('label', { for: 'dialog-text' }, label), input], 'Save', () => input.value.trim());
  return answer === '' ? undefined : answer;
}

/** One of `options` (value, label): undefined when cancelled. */
export function chooseOne(title: string, label: string, options: readonly { value: string; label: string }[], action: string): Promise<string | undefined> {
  const select = el('select', { id: 'dialog-choice' }, ...options.map((o) => el('option', { value: o.value }, o.label)));
  return openDialog(title, [el('label', { for: 'dialog-choice' }, label), select], action, () => select.value);
}
