-- Headless Neovim client for tests/test_neovim_e2e.py.
--   nvim --headless --clean -u tests/nvim/init.lua
-- Environment: PROOFLENS_FILE (file to open), PROOFLENS_OUT (JSON written here),
-- PROOFLENS_WAIT_FOR (text a diagnostic message must contain), PROOFLENS_HOVER_AT
-- (text on the line to hover), PROOFLENS_CMD (optional JSON list: the server command).
-- The LSP setup is the README's: vim.lsp.start on 0.10+, start_client + buf_attach_client
-- on 0.7-0.9.

local cmd = { "prooflens", "serve" }
if os.getenv("PROOFLENS_CMD") then
  cmd = vim.fn.json_decode(os.getenv("PROOFLENS_CMD"))
end

-- ---------------------------------------------------------------- the README configuration
local function on_attach(client, bufnr)
  -- Code lenses: refresh when the buffer is shown, after typing and when results arrive.
  vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "CursorHold", "DiagnosticChanged" }, {
    buffer = bufnr,
    callback = function() vim.lsp.codelens.refresh() end,
  })
  vim.lsp.codelens.refresh()
end

local prooflens_config = {
  name = "prooflens",
  cmd = cmd,
  root_dir = vim.fn.getcwd(),
  init_options = { mode = "onChange", timeoutSeconds = 10 },
  settings = { prooflens = { mode = "onChange", timeoutSeconds = 10 } },
  on_attach = on_attach,
}

local client_id = nil
vim.api.nvim_create_autocmd("FileType", {
  pattern = { "c", "python" },
  callback = function(args)
    if vim.lsp.start then -- Neovim 0.8+
      vim.lsp.start(prooflens_config, { bufnr = args.buf })
    else -- Neovim 0.7
      client_id = client_id or vim.lsp.start_client(prooflens_config)
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
  end,
})

-- ---------------------------------------------------------------- the test driver
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients -- 0.10+ / 0.7

local function write_result(result)
  local out = io.open(os.getenv("PROOFLENS_OUT"), "w")
  out:write(vim.fn.json_encode(result))
  out:close()
end

local function diagnostics_of(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp_code = d.code
    if lsp_code == nil and d.user_data and d.user_data.lsp then
      lsp_code = d.user_data.lsp.code
    end
    table.insert(found, {
      line = d.lnum, col = d.col, severity = d.severity, message = d.message,
      source = d.source, code = lsp_code,
    })
  end
  return found
end

local function find_line(buf, needle)
  for index, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = text:find(needle, 1, true)
    if col then return index - 1, col - 1 end
  end
  return nil, nil
end

local function hover_text(buf, line, col)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
  }
  local answers = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000) or {}
  for _, answer in pairs(answers) do
    if answer.result and answer.result.contents then
      local contents = answer.result.contents
      return contents.value or contents
    end
  end
  return nil
end

local function run()
  local result = { nvim = vim.version(), errors = {} }
  local ok, err = pcall(function()
    vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("PROOFLENS_FILE")))
    local buf = vim.api.nvim_get_current_buf()
    local wanted = os.getenv("PROOFLENS_WAIT_FOR") or ""
    local seen = vim.wait(120000, function()
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        if d.message:find(wanted, 1, true) then return true end
      end
      return false
    end, 100)
    if not seen then table.insert(result.errors, "no diagnostic containing " .. wanted) end
    local line, col = find_line(buf, os.getenv("PROOFLENS_HOVER_AT") or "")
    if line then result.hover = hover_text(buf, line, col) end
    vim.lsp.codelens.refresh()
    vim.wait(20000, function() return #vim.lsp.codelens.get(buf) > 0 end, 100)
    result.lenses = {}
    for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
      if lens.command then
        table.insert(result.lenses, { line = lens.range.start.line, title = lens.command.title })
      end
    end
    result.diagnostics = diagnostics_of(buf)
    result.clients = #get_clients()
  end)
  if not ok then table.insert(result.errors, tostring(err)) end
  write_result(result)
  for _, client in pairs(get_clients()) do vim.lsp.stop_client(client.id) end
  vim.wait(5000, function() return #get_clients() == 0 end, 100)
  vim.cmd("qall!")
end

vim.api.nvim_create_autocmd("VimEnter", { callback = function() vim.schedule(run) end })
