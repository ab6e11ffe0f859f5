// Gongshu console: uploading a data version with progress (the data page's form marked
// data-upload="<API address>"). The file is sent as the raw request body to the same API a
// script would use (the session cookie authenticates it); the page shows how much has been
// sent and how fast, then waits while the platform checks and writes the data, reloads on
// success, and lists the bad cells of a refused file. Without this script the form stays
// disabled and the page says that uploading needs JavaScript.
(function () {
  "use strict";

  var MB = 1024 * 1024;

  function megabytes(bytes) {
    return (bytes / MB).toFixed(1);
  }

  function duration(seconds) {
    if (seconds < 60) {
      return seconds + "秒";
    }
    var minutes = Math.floor(seconds / 60);
    return minutes < 60 ? minutes + "分" + (seconds % 60) + "秒"
      : Math.floor(minutes / 60) + "小时" + (minutes % 60) + "分";
  }

  function setup(form) {
    var input = form.querySelector('input[type="file"]');
    var drop = form.querySelector('input[name="drop_bad_rows"]');
    var button = form.querySelector("[data-upload-button]");
    var progressBox = form.querySelector("[data-upload-progress]");
    var bar = progressBox.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var errorBox = form.querySelector("[data-upload-error]");
    var problemsBox = form.querySelector("[data-upload-problems]");
    var problemsBody = problemsBox.querySelector("tbody");
    var more = form.querySelector("[data-upload-more]");
    button.disabled = false;

    function say(text) {
      progressBox.hidden = false;
      status.textContent = text;
    }

    function fail(message, problems, advice) {
      progressBox.hidden = true;
      errorBox.textContent = message;
      errorBox.hidden = false;
      while (problemsBody.firstChild) {
        problemsBody.removeChild(problemsBody.firstChild);
      }
      (problems || []).forEach(function (p) {
        var row = document.createElement("tr");
        [p.field, p.zh].forEach(function (text, i) {
          var cell = document.createElement("td");
          cell.textContent = text || "";
          if (i === 0) {
            cell.className = "nowrap";
          }
          row.appendChild(cell);
        });
        problemsBody.appendChild(row);
      });
      problemsBox.hidden = !(problems && problems.length);
      if (more) {
        more.hidden = !advice;
        more.textContent = advice || "";
      }
      button.disabled = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = input.files && input.files[0];
      if (!file) {
        fail("请选择要上传的数据文件。");
        return;
      }
      errorBox.hidden = true;
      problemsBox.hidden = true;
      button.disabled = true;
      bar.value = 0;
      bar.removeAttribute("value");
      say("准备上传…");

      var address = form.getAttribute("data-upload") +
        "?filename=" + encodeURIComponent(file.name) +
        "&drop_bad_rows=" + (drop && drop.checked ? "true" : "false");
      var xhr = new XMLHttpRequest();
      var started = Date.now();
      xhr.open("POST", address);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");

      xhr.upload.onprogress = function (e) {
        var total = e.lengthComputable ? e.total : file.size;
        var seconds = Math.max((Date.now() - started) / 1000, 0.001);
        var percent = total ? Math.floor((e.loaded / total) * 100) : 0;
        bar.max = 100;
        bar.value = percent;
        var rate = e.loaded / seconds;
        var left = rate > 0 && total > e.loaded ? Math.ceil((total - e.loaded) / rate) : 0;
        say("已上传 " + percent + "%（" + megabytes(e.loaded) + " / " + megabytes(total) +
          " MB，" + megabytes(rate) + " MB/秒" + (left ? "，约还需" + duration(left) : "") + "）");
      };
      xhr.upload.onload = function () {
        bar.removeAttribute("value");
        say("文件已发送，正在校验和写入…");
      };
      xhr.onload = function () {
        if (xhr.status === 201) {
          var saved = null;
          try {
            saved = JSON.parse(xhr.responseText);
          } catch (ignored) {
            saved = null;
          }
          var version = saved && saved.version;
          bar.max = 100;
          bar.value = 100;
          if (saved && saved.state === "held" && saved.hold) {
            // Held for confirmation: say why, then show the page with its confirm button.
            say((version ? "第" + version + "版" : "新版本") + "已保存但暂未生效：" +
              saved.hold.zh + "。正在刷新页面…");
            window.setTimeout(function () {
              window.location.reload();
            }, 2500);
            return;
          }
          var notes = (saved && saved.warnings || []).map(function (w) {
            return w.zh;
          });
          if (notes.length) {
            // Something the uploader should know (a title row skipped): shown a moment first.
            say((version ? "第" + version + "版" : "新版本") + "已保存。" + notes.join("；") +
              "。正在刷新页面…");
            window.setTimeout(function () {
              window.location.reload();
            }, 2500);
            return;
          }
          say((version ? "第" + version + "版" : "新版本") + "已保存，正在刷新页面…");
          window.location.reload();
          return;
        }
        var problem = null;
        try {
          problem = JSON.parse(xhr.responseText);
        } catch (ignored) {
          problem = null;
        }
        if (problem && problem.message && problem.message.zh) {
          var advice = problem.code === "invalid_data"
            ? "表中列出前" + (problem.errors || []).length + "处错误。请改正后重新上传，" +
              "或勾选“丢弃错误行”只保存正确的行（被丢弃的行可在版本列表中下载核对）。"
            : "";
          fail(problem.message.zh, problem.errors, advice);
        } else if (xhr.status === 401) {
          fail("登录已过期，请重新登录后再上传。");
        } else {
          fail("上传失败（HTTP " + xhr.status + "），未保存任何版本。");
        }
      };
      xhr.onerror = function () {
        fail("网络连接中断，上传未完成，未保存任何版本。");
      };
      xhr.send(file);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-upload]");
    Array.prototype.forEach.call(forms, setup);
  });
})();
