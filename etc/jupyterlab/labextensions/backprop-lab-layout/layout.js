/* The course's JupyterLab layout rules, a prebuilt JupyterLab 4 extension written by hand.
 *
 * JupyterLab saves its layout (which sidebar is open, and the sidebars' share of the window)
 * in the workspace and restores it in every later window, whatever that window's width. Stock
 * JupyterLab opens the file browser in a new workspace, 250 px wide at least: most of a phone's
 * screen, and that share, saved, then comes back in a laptop's window. No setting changes this,
 * and CSS cannot: the sidebars are sized by Lumino's split layout in script. So, once the layout
 * is restored:
 * - a narrow window (JupyterLab's own phone breakpoint) collapses both sidebars;
 * - a wide window whose restored sidebar takes more than WIDEST_SIDEBAR of the split gets
 *   JupyterLab's own initial split back.
 *
 * JupyterLab loads it as any prebuilt extension (`make lab` passes this folder as
 * --LabApp.extra_labextensions_path): this file registers a module container in
 * window._JUPYTERLAB, as a built one does. It needs no shared package, so there is no build
 * step and nothing to install. Its rules use only the shell's public API and Lumino's.
 */
(function () {
  const NARROW_WINDOW = '(width <= 760px)';
  const WIDEST_SIDEBAR = 0.4;
  const INITIAL_SPLIT = [1, 2.5, 1]; // JupyterLab 4.6's LabShell: left sidebar, main area, right sidebar

  /** The shell's split panel of left sidebar, main area and right sidebar, or null. */
  function sidebarSplit(shell) {
    for (const sidebarWidget of shell.widgets('left')) {
      for (let widget = sidebarWidget.parent; widget; widget = widget.parent) {
        if (widget.orientation === 'horizontal' && typeof widget.setRelativeSizes === 'function') {
          return widget;
        }
      }
    }
    return null;
  }

  function fitLayoutToWindow(shell) {
    if (window.matchMedia(NARROW_WINDOW).matches) {
      shell.collapseLeft();
      shell.collapseRight();
      return;
    }
    const split = sidebarSplit(shell);
    if (split === null) {
      return;
    }
    const [left, , right] = split.relativeSizes();
    if (left > WIDEST_SIDEBAR || right > WIDEST_SIDEBAR) {
      split.setRelativeSizes(INITIAL_SPLIT);
    }
  }

  const plugin = {
    id: 'backprop-lab-layout:plugin',
    description: 'Collapses the sidebars in a narrow window; never restores a sidebar that takes most of a wide one.',
    autoStart: true,
    activate: (app) => {
      void app.restored.then(() => fitLayoutToWindow(app.shell));
    }
  };

  const container = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  container['backprop-lab-layout'] = {
    init: () => {},
    get: () => Promise.resolve(() => ({ __esModule: true, default: plugin }))
  };
})();
