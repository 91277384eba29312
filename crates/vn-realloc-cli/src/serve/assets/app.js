// The page of `realloc serve`: the planning session on one screen (or several).
//
// Plain JavaScript, no library, no build step; served from /assets/app.js under a strict policy
// (no inline script or style: every style is in app.css, sizes are set through the DOM).
// It reads the session (GET /api/session), shows the proposal, sends the meeting's changes
// (POST /api/session/change, /undo), and follows the other screens (GET /api/events).
// Money arrives in whole đồng and is shown in million VND, as in the documents.
"use strict";

(function () {
  // ---------------------------------------------------------------- words

  const WORDS = {
    vi: {
      title: "Phiên họp điều chỉnh kế hoạch vốn",
      as_of: "Số liệu đến ngày",
      deadline: "hạn giải ngân",
      plan: "Kế hoạch vốn",
      disbursed: "Đã giải ngân",
      rate: "Tỷ lệ giải ngân dự kiến",
      rate_before: "Trước điều chỉnh",
      rate_after: "Sau điều chỉnh",
      moved: "Vốn điều chuyển",
      donors_recipients: "Giảm / tăng",
      projects_word: "dự án",
      balance: "Cân đối (giảm = tăng) từng nguồn",
      balance_ok: "cân đối",
      balance_bad: "KHÔNG cân đối",
      released: "Điều chỉnh giảm",
      absorbed: "Điều chỉnh tăng",
      idle: "Vốn dự kiến không giải ngân hết",
      million: "triệu đồng",
      tab_summary: "Tổng quan",
      tab_projects: "Dự án giảm / tăng",
      tab_groups: "Nhóm vướng mắc",
      tab_transfers: "Điều chuyển",
      tab_constraints: "Ràng buộc",
      tab_session: "Phiên họp",
      tab_upload: "Tải sổ Excel",
      by_source: "Theo nguồn vốn",
      source: "Nguồn vốn",
      all: "Tất cả",
      investor: "Chủ đầu tư",
      locality: "Xã, phường",
      group: "Nhóm vướng mắc",
      search: "Tìm (mã, tên)",
      show: "Hiển thị",
      show_changed: "Dự án giảm và tăng",
      show_donors: "Dự án giảm",
      show_recipients: "Dự án tăng",
      show_locked: "Dự án giữ nguyên",
      show_moved: "Vừa thay đổi",
      show_all: "Tất cả dự án",
      id: "Mã",
      name: "Dự án",
      change: "Điều chỉnh",
      new_plan: "Kế hoạch mới",
      reason: "Lý do",
      pace: "Tiến độ",
      rows_shown: "dòng",
      chart_title: "Tỷ lệ giải ngân dự kiến theo nguồn: trước và sau điều chỉnh",
      idle_title: "Vốn dự kiến không giải ngân hết sau điều chỉnh và phương án xử lý",
      opt_pipeline: "Bố trí dự án mới đủ điều kiện",
      opt_extend: "Kéo dài thời gian giải ngân",
      opt_return_central: "Trả lại ngân sách trung ương",
      pipeline: "Dự án mới",
      group_rows: "Số dự án",
      remedy: "Giải pháp",
      releasable: "Có thể giảm",
      released_word: "Đã giảm",
      from: "Từ dự án",
      to: "Sang dự án",
      amount: "Số tiền",
      authority: "Thẩm quyền",
      constraint: "Ràng buộc",
      binding: "Đang chặn",
      yes: "có",
      no: "không",
      cost_objective: "Giá trị mục tiêu giảm do ràng buộc",
      cost_moved: "Vốn không điều chuyển được do ràng buộc",
      no_binding: "Không ràng buộc nào đang chặn.",
      params: "Tham số của quy tắc",
      param_default: "mặc định",
      apply: "Áp dụng",
      changes: "Các điều chỉnh trong phiên họp",
      no_changes: "Chưa có điều chỉnh nào.",
      undo: "Hoàn tác điều chỉnh cuối",
      at: "Thời điểm",
      kind: "Loại",
      kind_lock: "Giữ nguyên",
      kind_unlock: "Bỏ giữ nguyên",
      kind_set: "Ấn định mức điều chỉnh",
      kind_cap: "Giới hạn mức điều chỉnh",
      kind_params: "Tham số",
      row: "Dự án",
      downloads: "Tải về",
      overrides_file: "Tệp điều chỉnh (.toml)",
      lock: "Giữ nguyên kế hoạch",
      unlock: "Bỏ giữ nguyên",
      lock_title: "Giữ nguyên kế hoạch của dự án",
      unlock_title: "Bỏ giữ nguyên (để quy tắc quyết định)",
      set_title: "Ấn định hoặc giới hạn mức điều chỉnh",
      set_force: "Ấn định mức điều chỉnh",
      set_cap: "Giới hạn mức điều chỉnh tối đa",
      amount_million: "Số tiền (triệu đồng; giảm ghi số âm)",
      reason_placeholder: "Ghi lý do (bắt buộc)",
      send: "Thực hiện",
      close: "Đóng",
      locked_badge: "giữ nguyên",
      locked_because: "Giữ nguyên vì",
      explain: "Vì sao",
      explain_loading: "Đang tải giải thích…",
      kept_out: "Điều kiện đang áp dụng",
      steps: "Các bước của quy tắc",
      stage: "Bước",
      outcome: "Kết quả",
      value: "Giá trị",
      forecast: "Dự kiến giải ngân",
      absorbable: "Có thể nhận thêm",
      priority: "Thứ tự ưu tiên",
      need_reason: "Cần ghi lý do.",
      need_amount: "Cần nhập số tiền (triệu đồng).",
      moved_title: "Thay đổi so với đề xuất trước",
      moved_none: "Điều chỉnh vừa rồi không làm thay đổi dự án nào.",
      moved_more: "và {n} dự án khác",
      before: "trước",
      after: "sau",
      upload_title: "Bắt đầu từ sổ Excel",
      upload_help: "Chọn sổ Excel (.xlsx) do `realloc template` tạo và đã điền số liệu. Sổ này thay cho kịch bản hiện tại của phiên họp; các điều chỉnh đã làm không áp dụng cho sổ mới.",
      upload_ok: "Đã tải sổ {name}: {rows} dự án.",
      uploading: "Đang tải lên…",
      sheet: "Trang tính",
      line: "Dòng",
      column: "Cột",
      message: "Nội dung",
      file: "Tệp",
      error: "Lỗi",
      connected: "đang theo dõi phiên họp",
      disconnected: "mất kết nối, đang thử lại…",
      version: "phiên bản",
      loading: "Đang tải…",
      no_scenario: "Chưa có kịch bản: hãy tải lên một sổ Excel.",
      warnings: "Cảnh báo",
      pace_fast: "nhanh",
      pace_on_track: "đúng tiến độ",
      pace_slow: "chậm",
      pace_stalled: "đình trệ",
      requested: "Đề nghị của chủ đầu tư",
      sort_hint: "Bấm tiêu đề cột để sắp xếp",
      total: "Tổng",
      params_reason: "Lý do thay đổi tham số",
      params_unchanged: "Chưa thay đổi tham số nào.",
    },
    en: {
      title: "Capital plan adjustment session",
      as_of: "Figures as of",
      deadline: "disbursement deadline",
      plan: "Capital plan",
      disbursed: "Disbursed",
      rate: "Forecast disbursement rate",
      rate_before: "Before",
      rate_after: "After",
      moved: "Capital moved",
      donors_recipients: "Reduced / increased",
      projects_word: "projects",
      balance: "Balance (released = absorbed) per source",
      balance_ok: "balanced",
      balance_bad: "NOT balanced",
      released: "Released",
      absorbed: "Absorbed",
      idle: "Capital forecast to stay idle",
      million: "million VND",
      tab_summary: "Summary",
      tab_projects: "Donors / recipients",
      tab_groups: "Obstacle groups",
      tab_transfers: "Transfers",
      tab_constraints: "Constraints",
      tab_session: "Session",
      tab_upload: "Upload workbook",
      by_source: "By capital source",
      source: "Capital source",
      all: "All",
      investor: "Investor",
      locality: "Locality",
      group: "Obstacle group",
      search: "Search (id, name)",
      show: "Show",
      show_changed: "Donors and recipients",
      show_donors: "Donors",
      show_recipients: "Recipients",
      show_locked: "Locked rows",
      show_moved: "Just moved",
      show_all: "All rows",
      id: "Id",
      name: "Project",
      change: "Change",
      new_plan: "New plan",
      reason: "Reason",
      pace: "Pace",
      rows_shown: "rows",
      chart_title: "Forecast disbursement rate by source: before and after the proposal",
      idle_title: "Capital forecast to stay idle after the proposal, and the options for it",
      opt_pipeline: "Ready pipeline projects",
      opt_extend: "Extend the disbursement period",
      opt_return_central: "Return to the central budget",
      pipeline: "Pipeline",
      group_rows: "Projects",
      remedy: "Remedy",
      releasable: "Releasable",
      released_word: "Released",
      from: "From",
      to: "To",
      amount: "Amount",
      authority: "Authority",
      constraint: "Constraint",
      binding: "Binding",
      yes: "yes",
      no: "no",
      cost_objective: "Objective lost to the constraint",
      cost_moved: "Transfers forgone because of it",
      no_binding: "No constraint binds.",
      params: "Rules parameters",
      param_default: "default",
      apply: "Apply",
      changes: "Changes made in the session",
      no_changes: "No change yet.",
      undo: "Undo the last change",
      at: "Time",
      kind: "Kind",
      kind_lock: "Lock",
      kind_unlock: "Unlock",
      kind_set: "Force the change",
      kind_cap: "Cap the change",
      kind_params: "Parameters",
      row: "Project",
      downloads: "Download",
      overrides_file: "Overrides file (.toml)",
      lock: "Keep the plan (lock)",
      unlock: "Unlock",
      lock_title: "Keep this project's plan as it is",
      unlock_title: "Lift the lock (let the rules decide)",
      set_title: "Force or cap the change",
      set_force: "Force the change to",
      set_cap: "Cap the change at",
      amount_million: "Amount (million VND; negative to reduce)",
      reason_placeholder: "Reason (required)",
      send: "Apply",
      close: "Close",
      locked_badge: "locked",
      locked_because: "Locked because",
      explain: "Why",
      explain_loading: "Loading the explanation…",
      kept_out: "Conditions that apply",
      steps: "Steps of the rules",
      stage: "Stage",
      outcome: "Outcome",
      value: "Value",
      forecast: "Forecast disbursement",
      absorbable: "Absorbable",
      priority: "Priority",
      need_reason: "A reason is required.",
      need_amount: "Enter an amount (million VND).",
      moved_title: "Moved compared with the previous proposal",
      moved_none: "The last change moved no project.",
      moved_more: "and {n} more projects",
      before: "before",
      after: "after",
      upload_title: "Start from a workbook",
      upload_help: "Choose an Excel workbook (.xlsx) written by `realloc template` and filled in. It replaces the session's scenario; the changes made so far do not carry over.",
      upload_ok: "Loaded {name}: {rows} projects.",
      uploading: "Uploading…",
      sheet: "Sheet",
      line: "Row",
      column: "Column",
      message: "Message",
      file: "File",
      error: "Error",
      connected: "following the session",
      disconnected: "connection lost, retrying…",
      version: "version",
      loading: "Loading…",
      no_scenario: "No scenario yet: upload a workbook.",
      warnings: "Warnings",
      pace_fast: "fast",
      pace_on_track: "on track",
      pace_slow: "slow",
      pace_stalled: "stalled",
      requested: "Investor's request",
      sort_hint: "Click a column heading to sort",
      total: "Total",
      params_reason: "Why the parameters change",
      params_unchanged: "No parameter changed.",
    },
  };

  const SOURCES = {
    NSTW: ["Ngân sách trung ương", "Central budget"],
    NSTW_ODA: ["Ngân sách trung ương (vốn nước ngoài)", "Central budget (foreign loans)"],
    CTMTQG_NTM: ["CTMTQG xây dựng nông thôn mới", "NTP new rural areas"],
    CTMTQG_GNBV: ["CTMTQG giảm nghèo bền vững", "NTP sustainable poverty reduction"],
    CTMTQG_DTTS: ["CTMTQG vùng đồng bào DTTS và miền núi", "NTP ethnic minority and mountainous areas"],
    NSDP: ["Ngân sách địa phương", "Local budget"],
    NSDP_TSDD: ["Ngân sách địa phương (tiền sử dụng đất)", "Local budget (land-use revenue)"],
    XSKT: ["Xổ số kiến thiết", "Lottery revenue"],
  };

  // ---------------------------------------------------------------- state

  const query = new URLSearchParams(window.location.search);
  const TOKEN = query.get("token");
  const state = {
    lang: query.get("lang") === "en" ? "en" : (localStorage.getItem("realloc.lang") === "en" ? "en" : "vi"),
    tab: "projects",
    scenario: null,
    session: null,
    version: -1,
    selected: null, // {id, source}
    explain: null,
    explainKey: "",
    filters: { source: "", investor: "", locality: "", group: "", text: "", show: "changed" },
    sort: { key: "change", dir: 1 },
    panelError: null,
    busy: false,
    loadError: null,
    live: false,
    uploadResult: null,
    paramsError: null,
    undoError: null,
  };

  function t(key) {
    const w = WORDS[state.lang];
    return key in w ? w[key] : key;
  }

  function sourceName(code) {
    const s = SOURCES[code];
    return s ? s[state.lang === "vi" ? 0 : 1] : code;
  }

  // ---------------------------------------------------------------- numbers

  // Groups of three with the language's separators: `1.234,5` (vi), `1,234.5` (en).
  function num(x, decimals) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    const d = decimals || 0;
    const neg = x < 0;
    const fixed = Math.abs(x).toFixed(d);
    const [whole, frac] = fixed.split(".");
    const sep = state.lang === "vi" ? "." : ",";
    const dec = state.lang === "vi" ? "," : ".";
    let out = "";
    for (let i = 0; i < whole.length; i++) {
      if (i > 0 && (whole.length - i) % 3 === 0) out += sep;
      out += whole[i];
    }
    if (frac) out += dec + frac;
    const zero = /^[0.,]*$/.test(out);
    return (neg && !zero ? "−" : "") + out;
  }

  // Whole đồng as million VND, rounded to the million like the documents.
  function mil(vnd) {
    if (vnd === null || vnd === undefined) return "–";
    return num(vnd / 1e6, 0);
  }

  function signedMil(vnd) {
    if (!vnd) return "0";
    return (vnd > 0 ? "+" : "") + mil(vnd);
  }

  function pct(rate) {
    if (rate === null || rate === undefined) return "–";
    return num(rate * 100, 1) + "%";
  }

  function clock(at) {
    if (!at) return "";
    const d = new Date(at);
    if (Number.isNaN(d.getTime())) return at;
    const p = (n) => String(n).padStart(2, "0");
    return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }

  // ---------------------------------------------------------------- DOM

  // h("tag.class", {attr: value, on: {click: f}}, child, ...): an element; strings become text.
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split(".");
    const el = document.createElement(tag || "div");
    if (classes.length) el.className = classes.join(" ");
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "on") {
          for (const [ev, f] of Object.entries(v)) el.addEventListener(ev, f);
        } else if (k === "class") {
          el.className += (el.className ? " " : "") + v;
        } else if (k === "value") {
          el.value = v;
        } else if (k === "checked") {
          el.checked = !!v;
        } else if (k === "testid") {
          el.setAttribute("data-testid", v);
        } else {
          el.setAttribute(k, v === true ? "" : String(v));
        }
      }
    }
    if (tag === "input" || tag === "select" || tag === "textarea") {
      const mark = () => { el.dataset.dirty = "1"; };
      el.addEventListener("input", mark);
      el.addEventListener("change", mark);
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else if (c instanceof Node) el.appendChild(c);
      else el.appendChild(document.createTextNode(String(c)));
    }
  }

  const SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const c of children) {
      if (c === null || c === undefined) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function $(id) {
    return document.getElementById(id);
  }

  // ---------------------------------------------------------------- HTTP

  function withQuery(path, extra) {
    const q = new URLSearchParams(extra || {});
    q.set("lang", state.lang);
    return path + (path.includes("?") ? "&" : "?") + q.toString();
  }

  // An answer of the API, or a thrown {status, message, diagnostics}.
  async function api(method, path, body, contentType) {
    const headers = {};
    if (TOKEN) headers["Authorization"] = "Bearer " + TOKEN;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      init.body = contentType ? body : JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(withQuery(path), init);
    } catch (e) {
      throw { status: 0, message: t("disconnected"), diagnostics: [] };
    }
    const text = await r.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    if (!r.ok) {
      const err = (json && json.error) || {};
      throw {
        status: r.status,
        code: err.code || "",
        message: err.message || r.status + " " + r.statusText,
        diagnostics: err.diagnostics || [],
      };
    }
    return json;
  }

  function downloadHref(path) {
    const extra = TOKEN ? { token: TOKEN } : {};
    return withQuery(path, extra);
  }

  // ---------------------------------------------------------------- derived figures

  function proposal() {
    return state.session && state.session.proposal;
  }

  // Per source: released (Σ reductions), absorbed (Σ additions + pipeline placements).
  function balance(p) {
    const by = new Map();
    const get = (src) => {
      if (!by.has(src)) by.set(src, { source: src, released: 0, absorbed: 0 });
      return by.get(src);
    };
    for (const r of p.projects) {
      if (r.change_vnd < 0) get(r.source).released += -r.change_vnd;
      else if (r.change_vnd > 0) get(r.source).absorbed += r.change_vnd;
    }
    for (const q of p.pipeline || []) get(q.source).absorbed += q.amount_vnd;
    const rows = [...by.values()];
    const released = rows.reduce((a, b) => a + b.released, 0);
    const absorbed = rows.reduce((a, b) => a + b.absorbed, 0);
    return { rows, released, absorbed, ok: rows.every((b) => b.released === b.absorbed) };
  }

  function movedKeys() {
    const set = new Set();
    for (const m of (state.session && state.session.moved) || []) set.add(m.id + "\u0000" + m.source);
    return set;
  }

  function projectIndex(p) {
    const map = new Map();
    for (const r of p.projects) map.set(r.id + "\u0000" + r.source, r);
    return map;
  }

  function groupLabel(p, id) {
    const g = (p.groups || []).find((x) => x.id === id);
    return g ? g[state.lang === "vi" ? "label_vi" : "label_en"] : id;
  }

  // ---------------------------------------------------------------- loading

  async function load() {
    try {
      const [scenario, session] = await Promise.all([
        api("GET", "/api/scenario").catch((e) => {
          if (e.status === 404) return null;
          throw e;
        }),
        api("GET", "/api/session"),
      ]);
      state.scenario = scenario;
      setSession(session);
      state.loadError = null;
    } catch (e) {
      state.loadError = e;
    }
    render();
  }

  function setSession(session) {
    state.session = session;
    state.version = session ? session.version : -1;
    if (state.selected && session && session.proposal) {
      const still = projectIndex(session.proposal).get(state.selected.id + "\u0000" + state.selected.source);
      if (!still) state.selected = null;
    }
    if (state.selected) loadExplain(true);
  }

  async function loadExplain(force) {
    const sel = state.selected;
    if (!sel) return;
    const key = sel.id + "\u0000" + sel.source + "\u0000" + state.version + "\u0000" + state.lang;
    if (!force && key === state.explainKey) return;
    state.explainKey = key;
    state.explain = null;
    try {
      const e = await api("GET", "/api/explain?" + new URLSearchParams({ id: sel.id, source: sel.source }));
      if (state.explainKey === key) state.explain = e;
    } catch (e) {
      if (state.explainKey === key) state.explain = { error: e };
    }
    renderPanel();
  }

  function listen() {
    if (!window.EventSource) return;
    const url = "/api/events" + (TOKEN ? "?token=" + encodeURIComponent(TOKEN) : "");
    const es = new EventSource(url);
    es.addEventListener("session", (ev) => {
      state.live = true;
      let v = -1;
      try {
        v = JSON.parse(ev.data).version;
      } catch (e) {
        v = -1;
      }
      if (v !== state.version && !state.busy) load();
      else renderLive();
    });
    es.onopen = () => {
      state.live = true;
      renderLive();
    };
    es.onerror = () => {
      state.live = false;
      renderLive();
    };
  }

  // Sends one change; the answer is the session. `onError` shows the server's words by the form.
  async function send(path, body, onError) {
    state.busy = true;
    document.body.classList.add("busy");
    try {
      const session = await api("POST", path, body);
      state.panelError = null;
      state.paramsError = null;
      state.undoError = null;
      setSession(session);
      forgetTyped = true;
      render();
      forgetTyped = false;
      return true;
    } catch (e) {
      onError(e);
      render();
      return false;
    } finally {
      state.busy = false;
      document.body.classList.remove("busy");
    }
  }

  // ---------------------------------------------------------------- rendering

  function render() {
    document.documentElement.lang = state.lang;
    $("lang").textContent = state.lang === "vi" ? "English" : "Tiếng Việt";
    document.title = "realloc — " + t("title");
    renderHeader();
    renderTotals();
    renderBanner();
    renderTabs();
    renderMain();
    renderPanel();
    renderLive();
  }

  function renderLive() {
    const el = $("live");
    el.className = "live " + (state.live ? "on" : "off");
    el.textContent = (state.live ? "● " + t("connected") : "○ " + t("disconnected")) +
      (state.version >= 0 ? " · " + t("version") + " " + state.version : "");
  }

  function renderHeader() {
    const p = proposal();
    $("title").textContent = p ? p.scenario : t("title");
    const sub = $("subtitle");
    sub.textContent = "";
    if (p) {
      sub.append(t("title") + " · " + t("as_of") + " " + dateText(p.as_of) +
        (p.deadline ? " · " + t("deadline") + " " + dateText(p.deadline) : ""));
    }
  }

  function dateText(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-");
    return state.lang === "vi" ? d + "/" + m + "/" + y : iso;
  }

  function renderTotals() {
    const el = $("totals");
    el.textContent = "";
    const p = proposal();
    if (!p) {
      el.append(h("div.figure", null, state.loadError ? errorBox(state.loadError) : t(state.session ? "no_scenario" : "loading")));
      return;
    }
    const sm = p.summary;
    const b = balance(p);
    const fig = (label, value, testid, cls) =>
      h("div.figure" + (cls ? "." + cls : ""), { testid }, h("div.label", null, label), h("div.value", null, value));
    el.append(
      fig(t("plan") + " (" + t("million") + ")", mil(sm.plan_vnd), "total-plan"),
      fig(t("disbursed"), mil(sm.disbursed_vnd), "total-disbursed"),
      fig(t("rate"), [pct(sm.forecast_rate_before), h("span.arrow", null, " → "), h("strong", null, pct(sm.forecast_rate_after))], "total-rate"),
      fig(t("moved"), mil(sm.moved_vnd), "total-moved"),
      fig(t("donors_recipients"), num(sm.donors) + " / " + num(sm.recipients) + " " + t("projects_word"), "total-count"),
      h(
        "div.figure.balance." + (b.ok ? "ok" : "bad"),
        {
          testid: "balance",
          "data-ok": b.ok ? "true" : "false",
          "data-released-vnd": b.released,
          "data-absorbed-vnd": b.absorbed,
          title: b.rows.map((r) => r.source + ": " + mil(r.released) + " / " + mil(r.absorbed)).join("\n"),
        },
        h("div.label", null, t("balance")),
        h(
          "div.value",
          null,
          h("span", { testid: "total-released" }, mil(b.released)),
          " = ",
          h("span", { testid: "total-absorbed" }, mil(b.absorbed)),
          " ",
          h("span.check", null, b.ok ? "✓ " + t("balance_ok") : "✗ " + t("balance_bad"))
        )
      )
    );
  }

  function renderBanner() {
    const el = $("banner");
    el.textContent = "";
    const s = state.session;
    if (!s || !s.proposal || !s.changes || s.changes.length === 0) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const moved = s.moved || [];
    const last = s.changes[s.changes.length - 1];
    el.append(h("strong", null, t("moved_title") + " (" + changeText(last) + "): "));
    if (moved.length === 0) {
      el.append(t("moved_none"));
      return;
    }
    const shown = moved.slice(0, 6);
    el.append(
      h(
        "span.moved-list",
        null,
        shown.map((m, i) => [
          i ? "; " : "",
          h(
            "a.moved-item",
            {
              href: "#",
              testid: "moved-item",
              on: { click: (ev) => { ev.preventDefault(); select(m.id, m.source); } },
            },
            m.id + " " + shortName(m.name) + ": " + signedMil(m.change_before_vnd) + " → " + signedMil(m.change_after_vnd)
          ),
        ]),
        moved.length > shown.length ? " " + t("moved_more").replace("{n}", num(moved.length - shown.length)) : ""
      )
    );
  }

  function shortName(name) {
    return name.length > 40 ? name.slice(0, 38) + "…" : name;
  }

  function changeText(c) {
    if (!c) return "";
    if (c.kind === "params") {
      return t("kind_params") + " " + Object.entries(c.params || {}).map(([k, v]) => k + " = " + num(v, v % 1 ? 2 : 0)).join(", ");
    }
    let kind = t("kind_" + c.kind);
    let amount = "";
    if (c.kind === "set") {
      if (c.max_change_vnd !== null && c.max_change_vnd !== undefined) {
        kind = t("kind_cap");
        amount = " " + signedMil(c.max_change_vnd);
      } else {
        amount = " " + signedMil(c.change_vnd);
      }
    }
    return kind + " " + c.id + " (" + c.source + ")" + amount;
  }

  const TABS = ["summary", "projects", "groups", "transfers", "constraints", "session", "upload"];

  function renderTabs() {
    const el = $("tabs");
    el.textContent = "";
    for (const tab of TABS) {
      el.append(
        h(
          "button.tab" + (state.tab === tab ? ".active" : ""),
          {
            type: "button",
            role: "tab",
            "aria-selected": state.tab === tab ? "true" : "false",
            testid: "tab-" + tab,
            on: { click: () => { state.tab = tab; render(); } },
          },
          t("tab_" + tab) + (tab === "session" && state.session && state.session.changes && state.session.changes.length ? " (" + state.session.changes.length + ")" : "")
        )
      );
    }
  }

  function renderMain() {
    const el = $("main");
    const focused = keepTyped(el);
    el.textContent = "";
    drawMain(el);
    restoreTyped(el, focused);
  }

  function drawMain(el) {
    const p = proposal();
    if (state.tab === "upload" || !p) {
      el.append(viewUpload());
      return;
    }
    const view = {
      summary: viewSummary,
      projects: viewProjects,
      groups: viewGroups,
      transfers: viewTransfers,
      constraints: viewConstraints,
      session: viewSession,
    }[state.tab];
    el.append(view(p));
    if (state.tab === "projects") renderTable(p);
  }

  function table(headers, rows, opts) {
    const o = opts || {};
    return h(
      "table" + (o.cls ? "." + o.cls : ""),
      { testid: o.testid },
      h("thead", null, h("tr", null, headers.map((hd) => (hd instanceof Node ? hd : h("th", null, hd))))),
      h("tbody", null, rows),
      o.foot ? h("tfoot", null, o.foot) : null
    );
  }

  function td(value, cls) {
    return h("td" + (cls ? "." + cls : ""), null, value);
  }

  // ---- summary

  function viewSummary(p) {
    const rows = p.sources.map((src) =>
      h(
        "tr",
        null,
        td(sourceName(src.source)),
        td(mil(src.plan_vnd), "n"),
        td(mil(src.disbursed_vnd), "n"),
        td(pct(src.forecast_rate_before), "n"),
        td(h("strong", null, pct(src.forecast_rate_after)), "n"),
        td(mil(src.moved_vnd), "n"),
        td(mil(src.pipeline_vnd), "n"),
        td(mil(src.idle_after_vnd), "n")
      )
    );
    const sm = p.summary;
    const foot = h(
      "tr",
      null,
      td(t("total")),
      td(mil(sm.plan_vnd), "n"),
      td(mil(sm.disbursed_vnd), "n"),
      td(pct(sm.forecast_rate_before), "n"),
      td(h("strong", null, pct(sm.forecast_rate_after)), "n"),
      td(mil(sm.moved_vnd), "n"),
      td(mil(p.sources.reduce((a, b) => a + (b.pipeline_vnd || 0), 0)), "n"),
      td(mil(p.sources.reduce((a, b) => a + (b.idle_after_vnd || 0), 0)), "n")
    );
    return h(
      "div.view",
      { testid: "view-summary" },
      h("h2", null, t("by_source"), h("span.unit", null, " (" + t("million") + ")")),
      table(
        [t("source"), t("plan"), t("disbursed"), t("rate_before"), t("rate_after"), t("moved"), t("pipeline"), t("idle")],
        rows,
        { foot, testid: "sources-table" }
      ),
      h("h2", null, t("chart_title")),
      rateChart(p),
      h("h2", null, t("idle_title"), h("span.unit", null, " (" + t("million") + ")")),
      idleTable(p),
      warnings()
    );
  }

  function warnings() {
    const w = (state.scenario && state.scenario.warnings) || [];
    if (!w.length) return null;
    return h(
      "div.warnings",
      null,
      h("h2", null, t("warnings")),
      h("ul", null, w.map((x) => h("li", null, typeof x === "string" ? x : x.text || x.message || JSON.stringify(x))))
    );
  }

  // Bars of the forecast rate before and after, one pair per source (as the HTML document's figure).
  function rateChart(p) {
    const srcs = p.sources;
    const rowH = 46;
    const labelW = 330;
    const barW = 560;
    const width = labelW + barW + 90;
    const height = srcs.length * rowH + 50;
    const x = (r) => labelW + Math.max(0, Math.min(1, r)) * barW;
    const svg = s("svg", {
      viewBox: "0 0 " + width + " " + height,
      class: "chart",
      role: "img",
      "aria-label": t("chart_title"),
      "data-testid": "rate-chart",
    });
    for (let i = 0; i <= 10; i += 2) {
      const gx = x(i / 10);
      svg.append(
        s("line", { x1: gx, x2: gx, y1: 8, y2: height - 34, class: "grid" }),
        s("text", { x: gx, y: height - 14, "text-anchor": "middle", class: "axis" }, num(i * 10) + "%")
      );
    }
    srcs.forEach((src, i) => {
      const y = 10 + i * rowH;
      svg.append(
        s("text", { x: labelW - 10, y: y + 26, "text-anchor": "end", class: "label" }, sourceName(src.source)),
        s("rect", { x: labelW, y: y + 4, width: x(src.forecast_rate_before) - labelW, height: 16, class: "before" }),
        s("rect", { x: labelW, y: y + 22, width: x(src.forecast_rate_after) - labelW, height: 16, class: "after" }),
        s("text", { x: x(src.forecast_rate_before) + 6, y: y + 17, class: "val" }, pct(src.forecast_rate_before)),
        s("text", { x: x(src.forecast_rate_after) + 6, y: y + 35, class: "val strong" }, pct(src.forecast_rate_after))
      );
    });
    const legend = h(
      "div.legend",
      null,
      h("span.swatch.before"),
      " " + t("rate_before") + "  ",
      h("span.swatch.after"),
      " " + t("rate_after")
    );
    return h("figure.chart-box", null, svg, legend);
  }

  function idleTable(p) {
    const by = new Map();
    for (const pool of p.pools || []) {
      const e = by.get(pool.source) || { idle: 0, pipeline: 0, extend: 0, return_central: 0 };
      e.idle += pool.idle_after_vnd || 0;
      for (const o of pool.options || []) e[o.kind] = (e[o.kind] || 0) + o.amount_vnd;
      by.set(pool.source, e);
    }
    const rows = [...by.entries()].map(([src, e]) =>
      h("tr", null, td(sourceName(src)), td(mil(e.idle), "n"), td(mil(e.pipeline), "n"), td(mil(e.extend), "n"), td(mil(e.return_central), "n"))
    );
    return table([t("source"), t("idle"), t("opt_pipeline"), t("opt_extend"), t("opt_return_central")], rows, { testid: "idle-table" });
  }

  // ---- projects

  function options(values, selected, label) {
    return [h("option", { value: "" }, label)].concat(
      values.map((v) => h("option", { value: v[0], selected: v[0] === selected ? "selected" : null }, v[1]))
    );
  }

  function uniq(list) {
    return [...new Set(list.filter((x) => x))].sort((a, b) => a.localeCompare(b, "vi"));
  }

  function filterBar(p) {
    const f = state.filters;
    const change = (key) => (ev) => {
      f[key] = ev.target.value;
      renderMain();
    };
    const sel = (key, label, values) =>
      h("label.filter", null, h("span", null, label), h("select", { testid: "filter-" + key, on: { change: change(key) } }, options(values, f[key], t("all"))));
    const groups = (p.groups || []).map((g) => [g.id, g[state.lang === "vi" ? "label_vi" : "label_en"]]);
    return h(
      "div.filters",
      null,
      h(
        "label.filter",
        null,
        h("span", null, t("show")),
        h(
          "select",
          { testid: "filter-show", on: { change: change("show") } },
          ["changed", "donors", "recipients", "moved", "locked", "all"].map((k) =>
            h("option", { value: k, selected: f.show === k ? "selected" : null }, t("show_" + k))
          )
        )
      ),
      sel("source", t("source"), p.sources.map((x) => [x.source, sourceName(x.source)])),
      sel("investor", t("investor"), uniq(p.projects.map((r) => r.investor)).map((x) => [x, x])),
      sel("locality", t("locality"), uniq(p.projects.map((r) => r.locality)).map((x) => [x, x])),
      sel("group", t("group"), groups),
      h(
        "label.filter.grow",
        null,
        h("span", null, t("search")),
        h("input", {
          type: "search",
          value: f.text,
          testid: "filter-text",
          on: {
            input: (ev) => {
              f.text = ev.target.value;
              renderTable(p);
            },
          },
        })
      )
    );
  }

  function visibleRows(p) {
    const f = state.filters;
    const moved = movedKeys();
    const text = f.text.trim().toLowerCase();
    const rows = p.projects.filter((r) => {
      if (f.source && r.source !== f.source) return false;
      if (f.investor && r.investor !== f.investor) return false;
      if (f.locality && r.locality !== f.locality) return false;
      if (f.group && !(r.groups || []).includes(f.group)) return false;
      if (text && !(r.id.toLowerCase().includes(text) || (r.name || "").toLowerCase().includes(text))) return false;
      switch (f.show) {
        case "changed": return r.change_vnd !== 0 || moved.has(r.id + "\u0000" + r.source);
        case "donors": return r.change_vnd < 0;
        case "recipients": return r.change_vnd > 0;
        case "moved": return moved.has(r.id + "\u0000" + r.source);
        case "locked": return r.locked;
        default: return true;
      }
    });
    const { key, dir } = state.sort;
    const val = (r) => {
      switch (key) {
        case "id": return r.id;
        case "name": return r.name;
        case "source": return r.source;
        case "plan": return r.plan_vnd;
        case "rate": return r.plan_vnd ? r.disbursed_vnd / r.plan_vnd : 0;
        case "new_plan": return r.new_plan_vnd;
        default: return r.change_vnd;
      }
    };
    rows.sort((a, b) => {
      const x = val(a);
      const y = val(b);
      const c = typeof x === "string" ? x.localeCompare(y, "vi") : x - y;
      return c * dir || a.id.localeCompare(b.id);
    });
    return rows;
  }

  function viewProjects(p) {
    return h("div.view", { testid: "view-projects" }, filterBar(p), h("div", { id: "project-table" }));
  }

  function renderTable(p) {
    const host = $("project-table");
    if (!host) return;
    host.textContent = "";
    const rows = visibleRows(p);
    const moved = movedKeys();
    const sortable = (key, label, cls) =>
      h(
        "th.sortable" + (cls ? "." + cls : ""),
        {
          title: t("sort_hint"),
          on: {
            click: () => {
              state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === "change" ? 1 : -1 };
              renderTable(p);
            },
          },
        },
        label + (state.sort.key === key ? (state.sort.dir > 0 ? " ▲" : " ▼") : "")
      );
    let released = 0;
    let absorbed = 0;
    const body = rows.map((r) => {
      if (r.change_vnd < 0) released -= r.change_vnd;
      else absorbed += r.change_vnd;
      const key = r.id + "\u0000" + r.source;
      const isSel = state.selected && state.selected.id === r.id && state.selected.source === r.source;
      const cls = [
        r.change_vnd < 0 ? "donor" : r.change_vnd > 0 ? "recipient" : "",
        moved.has(key) ? "moved" : "",
        isSel ? "selected" : "",
        r.locked ? "locked" : "",
      ].filter((x) => x).join(" ");
      return h(
        "tr",
        {
          class: cls || null,
          testid: "row",
          "data-id": r.id,
          "data-source": r.source,
          "data-change-vnd": r.change_vnd,
          "data-locked": r.locked ? "true" : "false",
          tabindex: 0,
          on: {
            click: () => select(r.id, r.source),
            keydown: (ev) => { if (ev.key === "Enter") select(r.id, r.source); },
          },
        },
        td(r.id, "id"),
        h(
          "td.name",
          null,
          h("div.pname", null, r.name, r.locked ? h("span.badge.lock", null, "🔒 " + t("locked_badge")) : null),
          h("div.meta", null, [r.investor, r.locality].filter((x) => x).join(" · "))
        ),
        td(r.source, "src"),
        td(mil(r.plan_vnd), "n"),
        td(r.plan_vnd ? pct(r.disbursed_vnd / r.plan_vnd) : "–", "n"),
        h("td.n.change", { testid: "row-change" }, signedMil(r.change_vnd)),
        td(mil(r.new_plan_vnd), "n"),
        h("td.reason", null, r.reason || "")
      );
    });
    const foot = h(
      "tr",
      null,
      h("td", { colspan: 5 }, num(rows.length) + " " + t("rows_shown") + " · " + t("released") + " " + mil(released) + " · " + t("absorbed") + " " + mil(absorbed)),
      h("td.n", null, signedMil(absorbed - released)),
      h("td", { colspan: 2 })
    );
    host.append(
      table(
        [
          sortable("id", t("id")),
          sortable("name", t("name")),
          sortable("source", t("source"), "src"),
          sortable("plan", t("plan")),
          sortable("rate", t("disbursed") + " %"),
          sortable("change", t("change")),
          sortable("new_plan", t("new_plan")),
          h("th", null, t("reason")),
        ],
        body,
        { cls: "projects", testid: "projects-table", foot }
      )
    );
  }

  function select(id, source) {
    if (!state.selected || state.selected.id !== id || state.selected.source !== source) typed = new Map();
    state.selected = { id, source };
    state.panelError = null;
    if (state.tab !== "projects") state.tab = "projects";
    render();
    loadExplain(false);
  }

  // ---- the side panel: one row, its actions, its explanation

  // What is typed in a form survives a redraw (an explanation arriving, another screen's change);
  // a change that went through clears it.
  let typed = new Map();
  let forgetTyped = false;
  function keepTyped(el) {
    if (forgetTyped) {
      typed = new Map();
      return null;
    }
    for (const input of el.querySelectorAll("[data-testid][data-dirty]")) {
      if (input.type !== "file") typed.set(input.dataset.testid, input.value);
    }
    const f = document.activeElement;
    return f && el.contains(f) && f.dataset ? f.dataset.testid : null;
  }
  function restoreTyped(el, focused) {
    for (const input of el.querySelectorAll("input[data-testid], select[data-testid]")) {
      if (typed.has(input.dataset.testid) && input.type !== "file") {
        input.value = typed.get(input.dataset.testid);
        input.dataset.dirty = "1";
      }
    }
    if (focused) {
      const f = el.querySelector('[data-testid="' + focused + '"]');
      if (f) f.focus({ preventScroll: true });
    }
  }

  function renderPanel() {
    const el = $("panel");
    const focused = keepTyped(el);
    el.textContent = "";
    drawPanel(el);
    restoreTyped(el, focused);
  }

  function drawPanel(el) {
    const p = proposal();
    const sel = state.selected;
    const r = p && sel ? projectIndex(p).get(sel.id + "\u0000" + sel.source) : null;
    if (!r) {
      el.hidden = true;
      document.body.classList.remove("with-panel");
      return;
    }
    el.hidden = false;
    document.body.classList.add("with-panel");
    const moved = (state.session.moved || []).find((m) => m.id === r.id && m.source === r.source);
    el.append(
      h(
        "div.panel-head",
        null,
        h("button.close", { type: "button", testid: "panel-close", on: { click: () => { state.selected = null; render(); } } }, "× " + t("close")),
        h("h2", null, r.name),
        h("div.meta", null, r.id + " · " + sourceName(r.source) + " · " + [r.investor, r.locality].filter((x) => x).join(" · "))
      ),
      h(
        "dl.facts",
        null,
        fact(t("plan"), mil(r.plan_vnd)),
        fact(t("disbursed"), mil(r.disbursed_vnd) + (r.plan_vnd ? " (" + pct(r.disbursed_vnd / r.plan_vnd) + ")" : "")),
        fact(t("forecast"), mil(r.forecast_vnd)),
        fact(t("releasable"), mil(r.releasable_vnd)),
        fact(t("absorbable"), mil(r.absorbable_vnd)),
        fact(t("change"), h("strong", { testid: "panel-change", "data-change-vnd": r.change_vnd }, signedMil(r.change_vnd)) ,
          moved ? h("span.was", null, " (" + t("before") + ": " + signedMil(moved.change_before_vnd) + ")") : null),
        fact(t("new_plan"), mil(r.new_plan_vnd)),
        fact(t("pace"), t("pace_" + r.pace)),
        r.requested_change_vnd !== null && r.requested_change_vnd !== undefined ? fact(t("requested"), signedMil(r.requested_change_vnd)) : null,
        fact(t("group"), (r.groups || []).map((g) => groupLabel(p, g)).join("; ") || "–"),
        fact(t("reason"), r.reason || "–"),
        r.locked && r.lock_reason ? fact(t("locked_because"), r.lock_reason) : null
      ),
      actions(r),
      explainView()
    );
  }

  function fact(label, ...value) {
    return [h("dt", null, label), h("dd", null, value)];
  }

  // The server's refusal in the page's language. Problems in a workbook are listed by sheet, row
  // and column; a refused change shows what is wrong with it (not where in the overrides file).
  function errorBox(e, testid, byCell) {
    if (!e) return null;
    const diags = e.diagnostics || [];
    const box = h("div.error", { role: "alert", testid: testid || "error" });
    if (byCell && diags.length) {
      box.append(
        // The first line says what failed; the table says where.
        h("div.error-message", null, String(e.message).split("\n")[0]),
        table(
          [t("sheet"), t("line"), t("column"), t("message")],
          // Without a cell, the full text names the sheet (or the file) the problem is in.
          diags.map((d) =>
            h("tr", null, td(d.sheet || ""), td(d.line ?? "", "n"), td(d.column ?? ""), td(d.sheet ? d.message : d.text || d.message || ""))
          ),
          { cls: "diags", testid: "diagnostics" }
        )
      );
    } else if (diags.length) {
      box.append(h("ul.error-list", null, diags.map((d) => h("li.error-message", null, d.message || d.text || ""))));
    } else {
      box.append(h("div.error-message", null, e.message));
    }
    return box;
  }

  function actions(r) {
    const key = { id: r.id, source: r.source };
    const onErr = (e) => { state.panelError = e; };
    const reasonInput = (testid) =>
      h("input.reason", { type: "text", placeholder: t("reason_placeholder"), testid, maxlength: 500 });
    const needReason = (input) => {
      const v = input.value.trim();
      if (!v) {
        state.panelError = { message: t("need_reason"), diagnostics: [] };
        renderPanel();
        return null;
      }
      return v;
    };
    const lockReason = reasonInput("lock-reason");
    const lockForm = h(
      "form.action",
      {
        testid: r.locked ? "unlock-form" : "lock-form",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const reason = needReason(lockReason);
            if (!reason) return;
            const verb = r.locked ? "unlock" : "lock";
            send("/api/session/change", { [verb]: { ...key, reason } }, onErr);
          },
        },
      },
      h("h3", null, r.locked ? t("unlock_title") : t("lock_title")),
      h("div.row", null, lockReason, h("button.primary", { type: "submit", testid: r.locked ? "unlock" : "lock" }, r.locked ? t("unlock") : t("lock")))
    );
    const amount = h("input.amount", { type: "number", step: "1", testid: "set-amount", placeholder: "−500" });
    const kind = h(
      "select",
      { testid: "set-kind" },
      h("option", { value: "change" }, t("set_force")),
      h("option", { value: "max" }, t("set_cap"))
    );
    const setReason = reasonInput("set-reason");
    const setForm = h(
      "form.action",
      {
        testid: "set-form",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const m = amount.value.trim().replace(",", ".");
            if (m === "" || Number.isNaN(Number(m))) {
              state.panelError = { message: t("need_amount"), diagnostics: [] };
              renderPanel();
              return;
            }
            const reason = needReason(setReason);
            if (!reason) return;
            const vnd = Math.round(Number(m) * 1e6);
            const set = { ...key, reason };
            set[kind.value === "max" ? "max_change_vnd" : "change_vnd"] = vnd;
            send("/api/session/change", { set }, onErr);
          },
        },
      },
      h("h3", null, t("set_title")),
      h("div.row", null, kind, amount, h("span.unit", null, t("million"))),
      h("div.row", null, setReason, h("button.primary", { type: "submit", testid: "set" }, t("send")))
    );
    return h("div.actions", null, errorBox(state.panelError, "panel-error"), lockForm, setForm);
  }

  function explainView() {
    const e = state.explain;
    const box = h("div.explain", { testid: "explain" }, h("h3", null, t("explain")));
    if (!e) {
      box.append(h("p.muted", null, t("explain_loading")));
      return box;
    }
    if (e.error) {
      box.append(errorBox(e.error));
      return box;
    }
    const kept = e.kept_out || [];
    if (kept.length) {
      box.append(
        h("h4", null, t("kept_out")),
        h("ul", null, kept.map((k) => h("li", null, k[state.lang === "vi" ? "label_vi" : "label_en"] || k.id)))
      );
    }
    const steps = (e.steps || []).filter((st) => st.outcome !== "not_matched" && st.outcome !== "skipped");
    box.append(
      h(
        "details",
        null,
        h("summary", null, t("steps") + " (" + num(steps.length) + ")"),
        table(
          [t("stage"), "id", t("outcome"), t("value")],
          steps.map((st) => h("tr", null, td(st.stage), td(st.id), td(st.outcome), td(st.value ?? "", "n"))),
          { cls: "steps" }
        )
      )
    );
    return box;
  }

  // ---- groups, transfers, constraints

  function viewGroups(p) {
    const vi = state.lang === "vi";
    const rows = (p.groups || []).map((g) =>
      h(
        "tr",
        { class: "clickable", on: { click: () => { state.filters.group = g.id; state.filters.show = "changed"; state.tab = "projects"; render(); } } },
        h("td", null, h("strong", null, vi ? g.label_vi : g.label_en), h("div.remedy", null, vi ? g.remedy_vi : g.remedy_en)),
        td(num(g.rows), "n"),
        td(mil(g.plan_vnd), "n"),
        td(pct(g.rate), "n"),
        td(mil(g.releasable_vnd), "n"),
        td(mil(g.released_vnd), "n")
      )
    );
    return h(
      "div.view",
      { testid: "view-groups" },
      h("h2", null, t("tab_groups"), h("span.unit", null, " (" + t("million") + ")")),
      table([t("group") + " · " + t("remedy"), t("group_rows"), t("plan"), t("disbursed") + " %", t("releasable"), t("released_word")], rows, { cls: "groups" })
    );
  }

  function viewTransfers(p) {
    const idx = projectIndex(p);
    const name = (id, src) => {
      const r = idx.get(id + "\u0000" + src);
      return r ? r.name : t("pipeline");
    };
    const auth = new Map((p.authorities || []).map((a) => [a.code, a[state.lang === "vi" ? "label_vi" : "label_en"]]));
    const SHORT = {
      ubnd_tinh: ["UBND tỉnh", "Provincial People's Committee"],
      hdnd_tinh: ["HĐND tỉnh", "Provincial People's Council"],
      trung_uong: ["Trung ương", "Central approval"],
    };
    const authority = (code) =>
      h("span", { title: auth.get(code) || code }, SHORT[code] ? SHORT[code][state.lang === "vi" ? 0 : 1] : auth.get(code) || code || "");
    const f = state.filters;
    const list = p.transfers.filter((x) => !f.source || x.source === f.source);
    const rows = list.map((x) =>
      h(
        "tr",
        null,
        h("td", null, h("a", { href: "#", on: { click: (ev) => { ev.preventDefault(); select(x.from, x.source); } } }, x.from), h("div.meta", null, name(x.from, x.source))),
        h("td", null, idx.has(x.to + "\u0000" + x.source) ? h("a", { href: "#", on: { click: (ev) => { ev.preventDefault(); select(x.to, x.source); } } }, x.to) : x.to, h("div.meta", null, name(x.to, x.source))),
        td(x.source, "src"),
        td(mil(x.amount_vnd), "n"),
        td(authority(x.authority))
      )
    );
    const sum = list.reduce((a, b) => a + b.amount_vnd, 0);
    return h(
      "div.view",
      { testid: "view-transfers" },
      h(
        "div.filters",
        null,
        h("label.filter", null, h("span", null, t("source")),
          h("select", { on: { change: (ev) => { f.source = ev.target.value; renderMain(); } } }, options(p.sources.map((x) => [x.source, sourceName(x.source)]), f.source, t("all"))))
      ),
      table([t("from"), t("to"), t("source"), t("amount") + " (" + t("million") + ")", t("authority")], rows, {
        cls: "transfers",
        foot: h("tr", null, h("td", { colspan: 3 }, t("total") + " · " + num(list.length)), td(mil(sum), "n"), td("")),
      })
    );
  }

  function viewConstraints(p) {
    const rows = p.constraints.map((c) =>
      h(
        "tr",
        { class: c.binding ? "binding" : null },
        td(c.name),
        td(c.binding ? t("yes") : t("no")),
        td(c.cost ? num(c.cost.objective_loss, 0) : "–", "n"),
        td(c.cost ? mil(c.cost.moved_forgone_vnd) : "–", "n")
      )
    );
    return h(
      "div.view",
      { testid: "view-constraints" },
      h("h2", null, t("tab_constraints")),
      p.constraints.some((c) => c.binding) ? null : h("p", null, t("no_binding")),
      table([t("constraint"), t("binding"), t("cost_objective"), t("cost_moved") + " (" + t("million") + ")"], rows, { testid: "constraints-table" })
    );
  }

  // ---- the session: parameters, changes, undo, downloads

  function viewSession(p) {
    const params = (state.scenario && state.scenario.params) || [];
    const inputs = new Map();
    const reason = h("input.reason", { type: "text", placeholder: t("reason_placeholder"), testid: "params-reason" });
    const paramForm = h(
      "form.action.params",
      {
        testid: "params-form",
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const changed = {};
            for (const prm of params) {
              const v = inputs.get(prm.name).value.trim().replace(",", ".");
              if (v !== "" && Number(v) !== prm.value) changed[prm.name] = Number(v);
            }
            if (!Object.keys(changed).length) {
              state.paramsError = { message: t("params_unchanged"), diagnostics: [] };
              renderMain();
              return;
            }
            if (!reason.value.trim()) {
              state.paramsError = { message: t("need_reason"), diagnostics: [] };
              renderMain();
              return;
            }
            send("/api/session/change", { params: changed, reason: reason.value.trim() }, (e) => { state.paramsError = e; })
              .then((ok) => { if (ok) load(); });
          },
        },
      },
      h("h2", null, t("params")),
      errorBox(state.paramsError, "params-error"),
      h(
        "div.param-grid",
        null,
        params.map((prm) => {
          const input = h("input", { type: "number", step: "any", value: prm.value, testid: "param-" + prm.name });
          inputs.set(prm.name, input);
          return h(
            "label.param",
            null,
            h("span", null, state.lang === "vi" ? prm.label_vi : prm.label_en),
            input,
            h("small.muted", null, prm.name + (prm.default !== undefined && prm.default !== prm.value ? " · " + t("param_default") + " " + num(prm.default, prm.default % 1 ? 2 : 0) : ""))
          );
        })
      ),
      h("div.row", null, reason, h("button.primary", { type: "submit", testid: "params-apply" }, t("apply")))
    );
    const changes = state.session.changes || [];
    const list = changes.length
      ? table(
          ["#", t("at"), t("kind"), t("row"), t("amount") + " (" + t("million") + ")", t("reason")],
          changes.map((c) =>
            h(
              "tr",
              { testid: "change" },
              td(c.n, "n"),
              td(clock(c.at)),
              td(c.kind === "set" && c.max_change_vnd !== null && c.max_change_vnd !== undefined ? t("kind_cap") : t("kind_" + c.kind)),
              td(c.kind === "params" ? Object.entries(c.params || {}).map(([k, v]) => k + " = " + num(v, v % 1 ? 2 : 0)).join(", ") : c.id + " (" + c.source + ")"),
              td(c.kind === "set" ? signedMil(c.change_vnd ?? c.max_change_vnd) : "", "n"),
              td(c.reason)
            )
          ),
          { testid: "changes-table" }
        )
      : h("p.muted", null, t("no_changes"));
    return h(
      "div.view",
      { testid: "view-session" },
      h("h2", null, t("changes")),
      list,
      errorBox(state.undoError, "undo-error"),
      h(
        "div.row",
        null,
        h(
          "button",
          {
            type: "button",
            testid: "undo",
            disabled: changes.length ? null : "disabled",
            on: { click: () => send("/api/session/undo", {}, (e) => { state.undoError = e; }) },
          },
          "↶ " + t("undo")
        )
      ),
      downloads(),
      paramForm
    );
  }

  function downloads() {
    const link = (ext) =>
      h("a.button", { href: downloadHref("/api/download/proposal." + ext), download: "proposal." + ext, testid: "download-" + ext }, "." + ext);
    return h(
      "div.downloads",
      { testid: "downloads" },
      h("h2", null, t("downloads")),
      h(
        "div.row",
        null,
        ["docx", "xlsx", "html", "json"].map(link),
        h("a.button", { href: downloadHref("/api/overrides.toml"), download: "overrides.toml", testid: "download-overrides" }, t("overrides_file"))
      ),
      state.session.overrides_file ? h("p.muted", null, state.session.overrides_file) : null
    );
  }

  // ---- upload

  function viewUpload() {
    const input = h("input", { type: "file", accept: ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", testid: "upload-file" });
    const status = h("div.upload-status", { testid: "upload-status" });
    const r = state.uploadResult;
    if (r && r.error) status.append(errorBox(r.error, "upload-error", true));
    else if (r && r.ok) status.append(h("p.ok", null, r.ok));
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      status.textContent = t("uploading");
      const bytes = await file.arrayBuffer();
      try {
        const session = await api(
          "POST",
          "/api/upload?" + new URLSearchParams({ name: file.name }),
          bytes,
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        setSession(session);
        state.selected = null;
        const rows = session.proposal ? session.proposal.projects.length : 0;
        state.uploadResult = { ok: t("upload_ok").replace("{name}", file.name).replace("{rows}", num(rows)) };
        await load();
      } catch (e) {
        state.uploadResult = { error: e };
        render();
      }
    });
    return h(
      "div.view",
      { testid: "view-upload" },
      state.loadError ? errorBox(state.loadError) : null,
      h("h2", null, t("upload_title")),
      h("p", null, t("upload_help")),
      input,
      status,
      proposal() ? null : h("p.muted", null, t("no_scenario"))
    );
  }

  // ---------------------------------------------------------------- start

  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "vi" ? "en" : "vi";
    try {
      localStorage.setItem("realloc.lang", state.lang);
    } catch (e) {
      // private windows: the choice lasts until the page is reloaded
    }
    state.explainKey = "";
    load();
  });

  render();
  load();
  listen();
})();
