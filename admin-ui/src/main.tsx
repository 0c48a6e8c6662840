// Entry point: builds the API client and query cache once and mounts the console.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createConsoleApi } from "./api/client.ts";
import { Console } from "./app/Console.tsx";
import { createQueryClient } from "./app/queryClient.ts";
import "./styles/console.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <Console api={createConsoleApi()} queryClient={createQueryClient()} />
  </StrictMode>,
);
